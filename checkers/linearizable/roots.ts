/**
 * The configurations a compaction keeps as roots (search.ts), as memo keys: (state id, required
 * lo word, optional lo word, required word count, required words..., optional words...). One
 * with the same state and required ops as another and a subset of the optional (crashed) ops
 * applied can do everything the other can, so only the ones no other subsumes are kept.
 */

/** The words of a key's optional-op bits, as (lo, words). */
function optPart(key: Uint32Array): { lo: number; words: Uint32Array } {
  return { lo: key[2]!, words: key.subarray(4 + key[3]!) };
}

/** True when every optional op `a` applied is applied in `b` too. */
function optSubset(a: Uint32Array, b: Uint32Array): boolean {
  const x = optPart(a);
  const y = optPart(b);
  const word = (p: { lo: number; words: Uint32Array }, w: number): number => (w < p.lo ? 0xffffffff : (p.words[w - p.lo] ?? 0));
  const to = Math.max(x.lo + x.words.length, y.lo + y.words.length);
  for (let w = Math.min(x.lo, y.lo); w < to; w++) if ((word(x, w) & ~word(y, w)) !== 0) return false;
  return true;
}

/**
 * The configurations not subsumed by another one or by `kept`: one with the same state and
 * required ops and a subset of the optional ops applied can do everything it can.
 */
export function withoutSubsumed(keys: Uint32Array[], kept: Uint32Array): Uint32Array[] {
  const groups = new Map<string, Uint32Array[]>();
  const groupOf = (key: Uint32Array): Uint32Array[] => {
    // State and required ops: the key without its optional lo word and words.
    const id = `${key[0]} ${key[1]} ${Array.from(key.subarray(4, 4 + key[3]!)).join(',')}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    return g;
  };
  groupOf(kept).push(kept);
  for (const key of keys) {
    const g = groupOf(key);
    if (g.some((other) => optSubset(other, key))) continue;
    const keepIndex = g.indexOf(kept);
    const rest = g.filter((other, i) => i === keepIndex || !optSubset(key, other));
    g.length = 0;
    g.push(...rest, key);
  }
  return [...groups.values()].flat().filter((k) => k !== kept);
}
