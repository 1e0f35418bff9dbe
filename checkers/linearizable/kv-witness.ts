/**
 * Fast path for the per-key `kv` model when appended values are tokens (as in Porcupine's kv
 * logs and our own workloads): every get then spells out the writes it saw, in order, so a
 * candidate linearization can be built directly instead of searched for.
 *
 * Each get's string is parsed into a put (or the initial value) followed by appends. The gets
 * of one put's "epoch" must be prefixes of one sequence. Epochs (puts) are ordered as real time
 * allows; appends nobody read go at the end of an epoch where nobody could have read them; each
 * get goes right after the write whose result it read (gets of one state in invocation order).
 *
 * The candidate is only a guess: the caller checks it with verifyLinearization and falls back
 * to the full search when it does not hold, so this path can only ever answer "valid", and
 * only with a checked witness.
 */
import type { Model } from './model.ts';
import type { Partition } from './prepare.ts';

/** A put of entry `put` (-1: the initial value) and the appends seen after it, in order. */
interface Epoch {
  put: number;
  order: number[];
  /** Gets by the number of appends they saw. */
  gets: number[][];
  unread: number[];
}

/**
 * Puts in an order real time allows: put Q goes before put P when Q returned before P or any op
 * of P's epoch was invoked (that op came after Q, and P is the last put before it). Ties go to
 * the epoch that must start first (earliest return among its ops). Undefined on a cycle.
 */
function orderEpochs(p: Partition, all: Epoch[]): Epoch[] | undefined {
  const init = all.filter((ep) => ep.put < 0);
  const puts = all.filter((ep) => ep.put >= 0);
  const opsOf = (ep: Epoch): number[] => [ep.put, ...ep.order, ...ep.gets.flat()];
  const lastCall = puts.map((ep) => Math.max(...opsOf(ep).map((e) => p.call[e]!)));
  const deadline = puts.map((ep) => Math.min(...opsOf(ep).map((e) => p.ret[e]!)));
  const before = puts.map(() => 0);
  const after: number[][] = puts.map(() => []);
  for (let q = 0; q < puts.length; q++) {
    for (let r = 0; r < puts.length; r++) {
      if (q !== r && p.ret[puts[q]!.put]! < lastCall[r]!) {
        after[q]!.push(r);
        before[r]!++;
      }
    }
  }
  const out = [...init];
  const ready = puts.map((_, i) => i).filter((i) => before[i] === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => deadline[b]! - deadline[a]!);
    const i = ready.pop()!;
    out.push(puts[i]!);
    for (const r of after[i]!) if (--before[r]! === 0) ready.push(r);
  }
  return out.length === all.length ? out : undefined;
}

/** Entry indices in a candidate linearization order, or undefined when the path does not apply. */
export function kvWitness(model: Model<any>, p: Partition): number[] | undefined {
  const start = model.init() as { s?: unknown } | null;
  if (model.name !== 'kv' || typeof start?.s !== 'string') return undefined;
  const init = start.s;
  const n = p.ops.length;
  // Clients may reuse a value (a put and an append of the same token, or one token appended
  // twice): the k-th occurrence of a token in a get is taken as the k-th append of it.
  const putOf = new Map<string, number>();
  const appendOf = new Map<string, number[]>();
  const lengths = new Set<number>();
  for (let e = 0; e < n; e++) {
    const op = p.ops[e]!;
    if (op.f === 'get') continue;
    const v = (op.value as [string, string])[1];
    if (v === '') return undefined;
    if (op.f === 'put') {
      if (putOf.has(v)) return undefined;
      putOf.set(v, e);
    } else {
      appendOf.set(v, [...(appendOf.get(v) ?? []), e]);
    }
    lengths.add(v.length);
  }
  const sizes = [...lengths].sort((a, b) => a - b);
  const epochs = new Map<number, Epoch>();
  const epochOf = (put: number): Epoch => {
    let ep = epochs.get(put);
    if (!ep) {
      ep = { put, order: [], gets: [], unread: [] };
      epochs.set(put, ep);
    }
    return ep;
  };
  epochOf(-1);
  const seenIn = new Map<number, number>();
  for (let e = 0; e < n; e++) {
    const op = p.ops[e]!;
    if (op.f !== 'get') continue;
    const s = (op.value as [string, string])[1];
    // Parse s into values: a put (or the initial value) then appends.
    const values: string[] = [];
    let pos = s.startsWith(init) ? init.length : 0;
    let put = -1;
    while (pos < s.length) {
      const len = sizes.find((l) => (pos === 0 && putOf.has(s.slice(0, l))) || appendOf.has(s.slice(pos, pos + l)));
      if (len === undefined) return undefined;
      const v = s.slice(pos, pos + len);
      if (pos === 0 && putOf.has(v)) put = putOf.get(v)!;
      else values.push(v);
      pos += len;
    }
    if (put < 0 && !s.startsWith(init)) return undefined;
    // A value may have been appended more than once: positions this epoch already knows keep
    // their op; a new position takes the latest such append invoked before the get returned
    // and not yet placed anywhere.
    const ep = epochOf(put);
    const tokens: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const known = ep.order[i];
      if (known !== undefined && (p.ops[known]!.value as [string, string])[1] !== v) return undefined;
      const t = known ?? appendOf.get(v)!.findLast((x) => !seenIn.has(x) && p.call[x]! < p.ret[e]!);
      if (t === undefined) return undefined;
      tokens.push(t);
      if (known === undefined) {
        ep.order.push(t);
        seenIn.set(t, put);
      }
    }
    (ep.gets[tokens.length] ??= []).push(e);
  }
  // Puts nobody read still take effect when they completed.
  for (let e = 0; e < n; e++) if (p.ops[e]!.f === 'put' && p.ret[e] !== Infinity) epochOf(e);
  const ordered = orderEpochs(p, [...epochs.values()]);
  if (!ordered) return undefined;
  // An append nobody read must sit at the end of an epoch whose put can precede it, whose gets
  // were all invoked before it returned (later ones would have seen it), and whose next put can
  // follow it. The latest such epoch is taken.
  // It also goes no earlier than the epochs of appends that returned before it began, and
  // before the epoch of any read append invoked after it returned.
  const lastGetCall = ordered.map((ep) => Math.max(-1, ...ep.gets.flat().map((g) => p.call[g]!)));
  const indexOfPut = new Map(ordered.map((ep, i) => [ep.put, i]));
  const placed: { ret: number; at: number }[] = [...seenIn].map(([a, put]) => ({ ret: p.ret[a]!, at: indexOfPut.get(put)! }));
  for (let e = 0; e < n; e++) {
    if (p.ops[e]!.f !== 'append' || seenIn.has(e) || p.ret[e] === Infinity) continue;
    const floor = Math.max(0, ...placed.filter((x) => x.ret < p.call[e]!).map((x) => x.at));
    const ceiling = Math.min(ordered.length - 1, ...[...seenIn].filter(([a]) => p.call[a]! > p.ret[e]!).map(([, put]) => indexOfPut.get(put)! - 1));
    let home = -1;
    for (let i = floor; i <= ceiling; i++) {
      const ep = ordered[i]!;
      const nextPut = ordered[i + 1]?.put;
      const fits =
        (ep.put < 0 || p.call[ep.put]! < p.ret[e]!) && lastGetCall[i]! < p.ret[e]! && (nextPut === undefined || p.ret[nextPut]! > p.call[e]!);
      if (fits) home = i;
    }
    if (home < 0) return undefined;
    ordered[home]!.unread.push(e);
    placed.push({ ret: p.ret[e]!, at: home });
  }
  const byCall = (a: number, b: number): number => p.call[a]! - p.call[b]!;
  const out: number[] = [];
  for (const ep of ordered) {
    if (ep.put >= 0) out.push(ep.put);
    for (let i = 0; i <= ep.order.length; i++) {
      if (i > 0) out.push(ep.order[i - 1]!);
      const gets = ep.gets[i];
      if (gets) out.push(...gets.sort(byCall));
    }
    out.push(...ep.unread.sort(byCall));
  }
  return out;
}
