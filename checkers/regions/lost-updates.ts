/**
 * Lost updates in register histories (every value written once): acknowledged writes and
 * compare-and-sets the store dropped, found from what clients saw, not from the store.
 *
 * Per register, the surviving state is the value the last successful op showed (a read, or the
 * new value of a write or compare-and-set: after a heal, the final reads). Its lineage is the chain
 * of compare-and-sets that led to it (`from` → `to`), back to a blind write or the initial value.
 * In a linearizable register that chain has no gaps: each compare-and-set found its predecessor
 * current, so every other update happened before the chain's root. Two ways an acknowledged
 * update is lost, then:
 *
 * - **Dropped**: it happened after the chain's root was in place (it was invoked after the root
 *   was seen, or it built on a value of the chain or on another such update) and completed before
 *   an op that still saw the chain. Nothing can place it: the chain never reflected it. This is
 *   what a split brain's resync drops: the losing side's whole branch after the fork, and any
 *   write one side made that the other side's chain then ignored.
 * - **Forked**: two compare-and-sets from one value both succeeded, and neither is on the chain:
 *   at most one of them applied; the others (and what was built on them) are counted, keeping
 *   the branch with the most updates, so the count is a lower bound.
 *
 * Each lost update names its rival where one is known: the chain's compare-and-set from the same
 * value, the sibling kept at a fork, or the first op that saw the chain after the loss.
 * A linearizable history has no lost update: both rules need an op that no linearization allows.
 */
import { isClientOp, type History, type Op } from '../../src/core/op.ts';
import { completionIndex } from '../../src/history/pairs.ts';

/** One acknowledged (or unknown) update of a register. */
interface Update {
  /** History index of the invocation. */
  index: number;
  key: string;
  value: string;
  /** The value a compare-and-set expected; undefined for a blind write. */
  from: string | undefined;
  ok: boolean;
  invoke: number;
  /** Completion time; Infinity for an unknown outcome. */
  complete: number;
  node: string | undefined;
}

/** An op that saw a value current: a read of it, or a compare-and-set from it. */
interface Sighting {
  index: number;
  value: string;
  invoke: number;
  complete: number;
  node: string | undefined;
}

export interface LostUpdate {
  /** History index of the lost update's invocation. */
  index: number;
  node: string | undefined;
  invoke: number;
  /** The op it lost to, when known: its history index and node. */
  rival: { index: number; node: string | undefined } | undefined;
}

/** The register key and operands of a register op: `v | [k, v]`, `[from, to] | [k, [from, to]]`, reads `null | [k, null]`. */
function parse(op: Op, done: Op): { key: string; value?: unknown; from?: unknown } | undefined {
  const v = op.value;
  const keyed = Array.isArray(v) && v.length === 2;
  if (op.f === 'read') {
    if (done.type !== 'ok') return undefined;
    const out = done.value;
    if (keyed) return Array.isArray(out) && out.length === 2 ? { key: JSON.stringify(out[0]), value: out[1] } : undefined;
    return v === null ? { key: 'null', value: out } : undefined;
  }
  if (op.f === 'write') return keyed ? { key: JSON.stringify(v[0]), value: v[1] } : { key: 'null', value: v };
  if (op.f === 'cas' && Array.isArray(v) && v.length === 2) {
    if (Array.isArray(v[1]) && v[1].length === 2) return { key: JSON.stringify(v[0]), from: v[1][0], value: v[1][1] };
    return { key: 'null', from: v[0], value: v[1] };
  }
  return undefined;
}

interface Register {
  updates: Update[];
  sightings: Sighting[];
  /** The value the last successful op showed, and that op's completion index. */
  last: { value: string; at: number } | undefined;
}

function registers(history: History): Map<string, Register> {
  const partner = completionIndex(history);
  const regs = new Map<string, Register>();
  const reg = (key: string): Register => {
    let r = regs.get(key);
    if (!r) regs.set(key, (r = { updates: [], sightings: [], last: undefined }));
    return r;
  };
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (op.type !== 'invoke' || !isClientOp(op)) continue;
    const c = partner[i]!;
    const done = c >= 0 ? history[c]! : undefined;
    if (done?.type === 'fail') continue;
    const type = done?.type ?? 'info';
    const p = done ? parse(op, done) : op.f === 'read' ? undefined : parse(op, op);
    if (!p) continue;
    const r = reg(p.key);
    const value = JSON.stringify(p.value ?? null);
    const complete = type === 'ok' ? done!.time : Infinity;
    if (type === 'ok' && (!r.last || c > r.last.at)) r.last = { value, at: c };
    if (op.f === 'read') {
      r.sightings.push({ index: i, value, invoke: op.time, complete, node: op.node });
      continue;
    }
    const from = op.f === 'cas' ? JSON.stringify(p.from ?? null) : undefined;
    r.updates.push({ index: i, key: p.key, value, from, ok: type === 'ok', invoke: op.time, complete, node: op.node });
    if (from !== undefined && type === 'ok') r.sightings.push({ index: i, value: from, invoke: op.time, complete, node: op.node });
  }
  return regs;
}

/** The lost updates of every register in the history, in history order. */
export function lostUpdates(history: History): LostUpdate[] {
  const out: LostUpdate[] = [];
  for (const r of registers(history).values()) out.push(...lostIn(r));
  return out.sort((a, b) => a.index - b.index);
}

function lostIn(r: Register): LostUpdate[] {
  if (!r.last) return [];
  const producer = new Map<string, Update>();
  for (const u of r.updates) if (!producer.has(u.value)) producer.set(u.value, u);

  // The surviving state's lineage, back to a blind write or a value nobody is known to have written.
  const chain = new Set<string>();
  let root = r.last.value;
  for (let v: string | undefined = r.last.value; v !== undefined && !chain.has(v); ) {
    chain.add(v);
    root = v;
    v = producer.get(v)?.from;
  }
  const rootProducer = producer.get(root);
  const seenAt = r.sightings.filter((s) => s.value === root).map((s) => s.complete);
  // When the root was in place by: its write's completion, or the first op that saw it; the initial value always was.
  const rootDone = !rootProducer && root === 'null' ? -Infinity : Math.min(rootProducer?.complete ?? Infinity, ...seenAt);
  const onChain = (u: Update): boolean => chain.has(u.value) && producer.get(u.value) === u;
  const chainSeen = [
    ...r.sightings.filter((s) => chain.has(s.value)),
    ...[...chain].flatMap((v) => {
      const p = producer.get(v);
      return p ? [{ index: p.index, value: v, invoke: p.invoke, complete: p.complete, node: p.node }] : [];
    }),
  ].sort((a, b) => a.invoke - b.invoke);
  const lastChainSeen = chainSeen.length > 0 ? chainSeen[chainSeen.length - 1]!.invoke : -Infinity;

  const after = new Map<Update, boolean>();
  const afterRoot = (u: Update): boolean => {
    const known = after.get(u);
    if (known !== undefined) return known;
    after.set(u, false); // a cycle of values proves nothing
    const parent = u.from !== undefined ? producer.get(u.from) : undefined;
    const result = u.invoke > rootDone || (u.from !== undefined && chain.has(u.from)) || (parent !== undefined && !onChain(parent) && afterRoot(parent));
    after.set(u, result);
    return result;
  };

  const lost = new Set<Update>();
  for (const u of r.updates) if (u.ok && !onChain(u) && afterRoot(u) && u.complete < lastChainSeen) lost.add(u);

  // Forks off the chain: two compare-and-sets from one value both succeeded; all but one branch lost.
  const children = new Map<string, Update[]>();
  for (const u of r.updates) if (u.ok && u.from !== undefined) children.set(u.from, [...(children.get(u.from) ?? []), u]);
  const size = (u: Update, seen = new Set<Update>()): number => {
    if (seen.has(u)) return 0;
    seen.add(u);
    return 1 + (children.get(u.value) ?? []).reduce((n, c) => n + size(c, seen), 0);
  };
  const forkRival = new Map<Update, Update>();
  for (const kids of children.values()) {
    if (kids.length < 2) continue;
    const kept = kids.find(onChain) ?? kids.filter((k) => !lost.has(k)).sort((a, b) => size(b) - size(a))[0] ?? kids[0]!;
    for (const k of kids) if (k !== kept) forkRival.set(k, kept);
  }
  const dropped = new Set<Update>();
  const dropBranch = (u: Update): void => {
    if (onChain(u) || dropped.has(u)) return;
    dropped.add(u);
    lost.add(u);
    for (const c of children.get(u.value) ?? []) dropBranch(c);
  };
  for (const k of forkRival.keys()) dropBranch(k);

  const chainChild = (v: string): Update | undefined => (children.get(v) ?? []).find(onChain);
  const rivalOf = (u: Update): Update | Sighting | undefined => {
    let b = u;
    for (let p = b.from !== undefined ? producer.get(b.from) : undefined; p && lost.has(p) && !forkRival.has(b); p = p.from !== undefined ? producer.get(p.from) : undefined) b = p;
    const fork = forkRival.get(b);
    if (fork) return fork;
    if (b.from !== undefined && chain.has(b.from)) {
      const next = chainChild(b.from);
      if (next && next !== b) return next;
    }
    return chainSeen.find((s) => s.invoke > u.complete);
  };
  return [...lost].map((u) => {
    const rival = rivalOf(u);
    return { index: u.index, node: u.node, invoke: u.invoke, rival: rival ? { index: rival.index, node: rival.node } : undefined };
  });
}
