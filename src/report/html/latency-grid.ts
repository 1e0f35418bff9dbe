/**
 * The latency chart of a big run, binned in Node: every client op that completed falls in a cell
 * of a grid over its start time (linear) and latency (logarithmic, as the chart draws it), one
 * bitset of cells per completion type and f. The page draws the set cells as the chart's points
 * before it has read the op table, so its first render costs the same for a thousand ops as for
 * a million; once the table is read it draws the points themselves.
 */
import { TYPE_CODE, type OpTable } from './op-table.ts';

/** Columns of the grid: one per point (2 px) across a chart's plot about 1100 px wide. */
export const GRID_X_BINS = 600;
/** Rows of the grid: one per point across the plot's 250 px height. */
export const GRID_Y_BINS = 150;

/** The smallest latency the chart shows (ms); shorter ones are drawn at it (log scale). */
export const MIN_LATENCY_MS = 0.001;

export interface LatencyGridCategory {
  /** Completion type code (TYPE_CODE: ok, fail or info) and f index of the op table. */
  type: number;
  f: number;
  /** Bitset of cells, base64: bit (x × yBins + y) set when an op falls in column x, row y. */
  cells: string;
}

export interface LatencyGrid {
  xBins: number;
  yBins: number;
  /** Start time of the first and last client op that completed, seconds: the chart's x range. */
  x0: number;
  x1: number;
  /** Smallest and largest latency, ms (at least MIN_LATENCY_MS): the chart's y range. */
  y0: number;
  y1: number;
  /** One per completion type and f with ops, in drawing order (type, then f). */
  cats: LatencyGridCategory[];
}

/** Column (or row) of `v` on a grid of `bins` over [lo, hi]. */
function bin(v: number, lo: number, hi: number, bins: number): number {
  return hi > lo ? Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins))) : 0;
}

/** Bins the latency of every client op that completed (ok, fail, info); undefined when there is none. */
export function latencyGrid(t: OpTable, xBins = GRID_X_BINS, yBins = GRID_Y_BINS): LatencyGrid | undefined {
  const counted = (k: number): boolean => t.lane[k] !== t.nemesisLane && t.type[k] !== TYPE_CODE.none;
  const latency = (k: number): number => Math.max(MIN_LATENCY_MS, t.t1[k]! - t.t0[k]!);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < t.n; k++) {
    if (!counted(k)) continue;
    const x = t.t0[k]! / 1000;
    const y = latency(k);
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x0 === Infinity) return undefined;
  const ly0 = Math.log10(y0);
  const ly1 = Math.log10(y1);
  const bitsets = new Map<number, Uint8Array>();
  const fCount = Math.max(1, t.fs.length);
  for (let k = 0; k < t.n; k++) {
    if (!counted(k)) continue;
    const cat = t.type[k]! * fCount + t.f[k]!;
    let bits = bitsets.get(cat);
    if (!bits) bitsets.set(cat, (bits = new Uint8Array(Math.ceil((xBins * yBins) / 8))));
    const cell = bin(t.t0[k]! / 1000, x0, x1, xBins) * yBins + bin(Math.log10(latency(k)), ly0, ly1, yBins);
    bits[cell >> 3] = bits[cell >> 3]! | (1 << (cell & 7));
  }
  const cats = [...bitsets.keys()]
    .sort((a, b) => a - b)
    .map((cat) => ({ type: Math.floor(cat / fCount), f: cat % fCount, cells: Buffer.from(bitsets.get(cat)!).toString('base64') }));
  return { xBins, yBins, x0, x1, y0, y1, cats };
}
