/**
 * Value → id lookup for checkers that resolve millions of observed values: a flat table when
 * the values are integers in a range not much wider than their number (the usual case, op
 * numbers), else the map itself.
 */

export type ValueIndex = { table: Int32Array; min: number } | { table: null; map: ReadonlyMap<unknown, number> };

export function valueIndex(map: ReadonlyMap<unknown, number>): ValueIndex {
  let min = Infinity;
  let max = -Infinity;
  for (const v of map.keys()) {
    if (typeof v !== 'number' || !Number.isInteger(v)) return { table: null, map };
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (map.size === 0 || max - min + 1 > 4 * map.size + 64) return { table: null, map };
  const table = new Int32Array(max - min + 1).fill(-1);
  for (const [v, id] of map) table[(v as number) - min] = id;
  return { table, min };
}

/** Writes the id of each of `values` (-1 when unknown) into `out` from position `at`. */
export function resolveInto(index: ValueIndex | undefined, values: readonly unknown[], out: Int32Array, at: number): void {
  if (index === undefined) {
    out.fill(-1, at, at + values.length);
  } else if (index.table) {
    const { table, min } = index;
    for (let q = 0; q < values.length; q++) {
      const x = values[q];
      const d = typeof x === 'number' ? x - min : -1;
      out[at + q] = d >= 0 && d < table.length && Number.isInteger(d) ? table[d]! : -1;
    }
  } else {
    for (let q = 0; q < values.length; q++) out[at + q] = index.map.get(values[q]) ?? -1;
  }
}
