/**
 * Sound pruning rules for the built-in registers (read / write / cas, and the failed compares
 * of etcd-register), on the int-coded ops of the op stores (transitions.ts): which held ops need
 * each value (reads, cas expecting it) and which write it, kept as per-value heads (typed arrays
 * indexed by value id) and per-op links in the stores.
 *
 * - doomedBy: overwriting value v is a dead end when a required op not yet linearized needs v,
 *   every op invoked before it returned is known, and none of those not yet linearized writes v:
 *   the register can never hold v for it again.
 * - pointless: an optional (crashed) write or cas need only be tried where an op not yet
 *   linearized needs the value it writes. An optional write can always move to just before the
 *   first op that reads what it wrote (nothing it could not explain comes between), so until such
 *   an op is held it changes nothing. Not when a failed compare is held: that op may need the
 *   register to hold anything but some value, which any write provides.
 * - canHoldNeeded: the op returning first must go before every op invoked after its return, so
 *   the register holds, when it goes, its current value or one that an op invoked before then
 *   writes; if neither is what it needs, the configuration is dead.
 */
import type { OpStore } from './op-store.ts';
import { registerNeeds, registerNeedsOther, registerProduces } from './transitions.ts';

export class RegisterRules {
  private readonly req: OpStore;
  private readonly opt: OpStore;
  /** Per store (required, optional), per value id: the rank of the last held op needing / writing it, or -1. */
  private needers: Int32Array[] = [new Int32Array(0), new Int32Array(0)];
  private writers: Int32Array[] = [new Int32Array(0), new Int32Array(0)];
  /** A failed compare was added (see pointless). */
  private comparesOther = false;

  constructor(req: OpStore, opt: OpStore) {
    this.req = req;
    this.opt = opt;
  }

  /** Indexes the op ranked `r` just added to `store`; value ids are below `idLimit`. */
  note(store: OpStore, r: number, idLimit: number): void {
    if (this.needers[0]!.length < idLimit) this.grow(idLimit * 2);
    const i = r & store.mask;
    const s = store === this.req ? 0 : 1;
    if (registerNeedsOther(store.kind[i]!)) this.comparesOther = true;
    const needs = registerNeeds(store.kind[i]!, store.a[i]!);
    const needers = this.needers[s]!;
    store.prevNeeder[i] = needs >= 0 ? needers[needs]! : -1;
    if (needs >= 0) needers[needs] = r;
    const writes = registerProduces(store.kind[i]!, store.a[i]!, store.b[i]!);
    const writers = this.writers[s]!;
    store.prevWriter[i] = writes >= 0 ? writers[writes]! : -1;
    if (writes >= 0) writers[writes] = r;
  }

  /** Indexes the held ops afresh (after ops were dropped and value ids forgotten). */
  rebuild(idLimit: number): void {
    for (const heads of [...this.needers, ...this.writers]) heads.fill(-1);
    for (const store of [this.req, this.opt]) for (let r = store.start; r < store.end; r++) this.note(store, r, idLimit);
  }

  private grow(size: number): void {
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(size).fill(-1);
      b.set(a);
      return b;
    };
    this.needers = this.needers.map(grow);
    this.writers = this.writers.map(grow);
  }

  /**
   * The required op doomed if op `e` (an entry code: rank, or ~rank for an optional op)
   * overwrites value `v` now, or -1: the one returning first, as the search would find it
   * blocked. Only ops whose return lies before `horizon` (all ops invoked before it known) count.
   */
  doomedBy(v: number, e: number, horizon: number): number {
    const req = this.req;
    let doomed = -1;
    let first = Infinity;
    for (let r = this.needers[0]![v]!; r >= req.start; r = req.prevNeeder[r & req.mask]!) {
      const ret = req.ret[r & req.mask]!;
      if (r !== e && ret <= horizon && ret < first && !req.linearized(r) && !this.writerBefore(v, ret)) {
        doomed = r;
        first = ret;
      }
    }
    return doomed;
  }

  /** Whether the optional op ranked `r` writes a value no op not yet linearized needs. */
  pointless(r: number): boolean {
    if (this.comparesOther) return false;
    const opt = this.opt;
    const i = r & opt.mask;
    const writes = registerProduces(opt.kind[i]!, opt.a[i]!, opt.b[i]!);
    return writes >= 0 && !this.neededLater(writes, r);
  }

  /**
   * Whether the register can hold what the required op ranked `rank`, returning first at
   * `first`, needs when it goes, from state `state`.
   */
  canHoldNeeded(rank: number, first: number, state: number): boolean {
    const b = rank & this.req.mask;
    const need = registerNeeds(this.req.kind[b]!, this.req.a[b]!);
    if (need < 0 || need === state) return true;
    for (const store of [this.req, this.opt]) {
      for (let r = store.firstOpen(); r < store.end; r++) {
        const i = r & store.mask;
        if (store.call[i]! >= first) break;
        if (!store.linearized(r) && registerProduces(store.kind[i]!, store.a[i]!, store.b[i]!) === need) return true;
      }
    }
    return false;
  }

  /** Whether an op not yet linearized, other than the optional op ranked `r`, needs value `v`. */
  private neededLater(v: number, r: number): boolean {
    for (let s = 0; s < 2; s++) {
      const store = s === 0 ? this.req : this.opt;
      for (let x = this.needers[s]![v]!; x >= store.start; x = store.prevNeeder[x & store.mask]!) {
        if ((s === 0 || x !== r) && !store.linearized(x)) return true;
      }
    }
    return false;
  }

  /** Whether an op invoked before position `before` and not yet linearized writes value `v`. */
  private writerBefore(v: number, before: number): boolean {
    for (let s = 0; s < 2; s++) {
      const store = s === 0 ? this.req : this.opt;
      for (let r = this.writers[s]![v]!; r >= store.start; r = store.prevWriter[r & store.mask]!) {
        if (store.call[r & store.mask]! < before && !store.linearized(r)) return true;
      }
    }
    return false;
  }
}
