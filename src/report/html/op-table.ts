/**
 * The history as columns of invoke/completion pairs, the shape the browser draws from: event
 * indexes, start and end times in milliseconds, a lane (nemesis, then one per client thread or
 * process), the completion type and the f. Embedded packed (varints, gzip, base64), which is far
 * smaller than JSON arrays of a million numbers and decodes faster; the first pairs also as a
 * head without gzip, which the page reads at once for its first render.
 */
import type { History } from '../../core/op.ts';
import { completionIndex } from '../../history/pairs.ts';
import { packBase64, VarintWriter } from './pack.ts';

/** Completion type codes; NONE marks an invocation that never completed. */
export const TYPE_CODE = { ok: 0, fail: 1, info: 2, none: 3 } as const;

export interface OpTable {
  /** Number of pairs (one per invocation). */
  n: number;
  /** History index of the invocation / completion (-1: never completed). */
  inv: Int32Array;
  cmp: Int32Array;
  /** Milliseconds since the test started; t1 is NaN when the op never completed. */
  t0: Float64Array;
  t1: Float64Array;
  /** The same times in whole nanoseconds, exactly as recorded (t1: 0 when never completed). */
  t0ns: Float64Array;
  t1ns: Float64Array;
  lane: Uint16Array;
  /** Client process id; -1 for the nemesis, -2 for any other non-numeric process. */
  proc: Int32Array;
  type: Uint8Array;
  f: Uint16Array;
  /** Lane labels ("nemesis", "thread 0" or "process 3"). */
  lanes: string[];
  fs: string[];
  /** Time of the last event, ms. */
  endMs: number;
  /** Lane of the nemesis, or -1 when the history has no nemesis ops. */
  nemesisLane: number;
}

function laneAssigner(history: History, concurrency: number | undefined): { laneOf: (p: number | string) => number; lanes: string[]; nemesisLane: number } {
  const hasNemesis = history.some((op) => op.process === 'nemesis');
  const lanes: string[] = hasNemesis ? ['nemesis'] : [];
  const base = lanes.length;
  const nemesisLane = hasNemesis ? 0 : -1;
  const numeric = new Set<number>();
  const other = new Set<string>();
  for (const op of history) {
    if (typeof op.process === 'number') numeric.add(op.process);
    else if (op.process !== 'nemesis') other.add(String(op.process));
  }
  const byThread = concurrency !== undefined && concurrency > 0 && [...numeric].every((p) => Number.isInteger(p) && p >= 0);
  const laneMap = new Map<number | string, number>();
  if (byThread) {
    for (let t = 0; t < concurrency; t++) lanes.push(`thread ${t}`);
    for (const p of numeric) laneMap.set(p, base + (p % concurrency));
  } else {
    for (const p of [...numeric].sort((a, b) => a - b)) {
      laneMap.set(p, lanes.length);
      lanes.push(`process ${p}`);
    }
  }
  for (const p of [...other].sort()) {
    laneMap.set(p, lanes.length);
    lanes.push(`process ${p}`);
  }
  return { laneOf: (p) => (p === 'nemesis' ? nemesisLane : laneMap.get(typeof p === 'number' ? p : String(p)) ?? 0), lanes, nemesisLane };
}

/**
 * Pairs every invocation with its completion; `concurrency` groups client processes by thread.
 * `partner` is completionIndex(history), when the caller has it already.
 */
export function buildOpTable(history: History, concurrency?: number, partner: Int32Array = completionIndex(history)): OpTable {
  let n = 0;
  for (const op of history) if (op.type === 'invoke') n++;
  const t = { inv: new Int32Array(n), cmp: new Int32Array(n), t0: new Float64Array(n), t1: new Float64Array(n), t0ns: new Float64Array(n), t1ns: new Float64Array(n), lane: new Uint16Array(n), proc: new Int32Array(n), type: new Uint8Array(n), f: new Uint16Array(n) };
  const { laneOf, lanes, nemesisLane } = laneAssigner(history, concurrency);
  const fIndex = new Map<string, number>();
  const fs: string[] = [];
  let k = 0;
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (op.type !== 'invoke') continue;
    const j = partner[i]!;
    const done = j >= 0 ? history[j]! : undefined;
    const f = String(op.f);
    let fi = fIndex.get(f);
    if (fi === undefined) {
      fi = fs.length;
      fIndex.set(f, fi);
      fs.push(f);
    }
    t.inv[k] = i;
    t.cmp[k] = j;
    t.t0ns[k] = Math.round(op.time);
    t.t1ns[k] = done ? Math.round(done.time) : 0;
    t.t0[k] = op.time / 1e6;
    t.t1[k] = done ? done.time / 1e6 : NaN;
    t.lane[k] = laneOf(op.process);
    t.proc[k] = typeof op.process === 'number' ? op.process : op.process === 'nemesis' ? -1 : -2;
    t.type[k] = done ? TYPE_CODE[done.type as 'ok' | 'fail' | 'info'] ?? TYPE_CODE.info : TYPE_CODE.none;
    t.f[k] = fi;
    k++;
  }
  const endMs = history.length > 0 ? history[history.length - 1]!.time / 1e6 : 0;
  return { n, ...t, lanes, fs, endMs, nemesisLane };
}

/** gzip level of the packed table. */
const PACK_LEVEL = 4;

/** Columns of the packed table: times in microseconds keep it small. */
export const PACKED_COLUMNS = ['invDelta', 'cmpOffset', 't0DeltaUs', 'durationUs', 'lane', 'typeF'] as const;
/**
 * Columns read only when an op is opened: the process, and the nanoseconds below the microsecond
 * of the start and the end as one number (start × 1000 + end: one varint of three bytes, not two
 * of two).
 */
export const PACKED_DETAIL_COLUMNS = ['proc', 'subUsNs'] as const;

/**
 * Pairs per lane in the head of a report: the first pairs, drawn before the whole table is read.
 * At the timeline's first zoom (about ten pixels per op and lane) they cover its first two
 * screens, and decode in a few milliseconds.
 */
export const HEAD_PAIRS_PER_LANE = 200;

/** Pairs in the head of a report with `lanes` lanes: at least 2000. */
export function headPairs(lanes: number): number {
  return Math.max(2000, HEAD_PAIRS_PER_LANE * lanes);
}

export interface PackedOpTable {
  n: number;
  lanes: string[];
  fs: string[];
  endMs: number;
  nemesisLane: number;
  /** Pairs in `head`: all n, or the first ones (then `packed` holds all of them). */
  headN: number;
  /** The first headN pairs as PACKED_COLUMNS, headN varints each, base64 without gzip, so the
   * page reads them at once, without waiting for an inflate. */
  head: string;
  /** All n pairs in the same columns, gzip and base64; empty when the head holds them all.
   * Columns: invocation index deltas; completion offset from the invocation (0: never
   * completed); start-time deltas and durations in whole microseconds; lane; type × 65536 + f. */
  packed: string;
  /** PACKED_DETAIL_COLUMNS, n varints each: process; start time modulo 1000 ns × 1000 + end time
   * modulo 1000 ns (0 when never completed). */
  detail: string;
}

/** PACKED_COLUMNS of the first `count` pairs as varints. */
function packColumns(t: OpTable, count: number): Uint8Array {
  const w = new VarintWriter();
  const t0us = new Float64Array(count);
  for (let k = 0; k < count; k++) t0us[k] = Math.floor(t.t0ns[k]! / 1000);
  let prev = 0;
  for (let k = 0; k < count; k++) {
    w.int(t.inv[k]! - prev);
    prev = t.inv[k]!;
  }
  for (let k = 0; k < count; k++) w.int(t.cmp[k]! >= 0 ? t.cmp[k]! - t.inv[k]! : 0);
  prev = 0;
  for (let k = 0; k < count; k++) {
    w.int(t0us[k]! - prev);
    prev = t0us[k]!;
  }
  for (let k = 0; k < count; k++) w.int(t.cmp[k]! >= 0 ? Math.floor(t.t1ns[k]! / 1000) - t0us[k]! : 0);
  for (let k = 0; k < count; k++) w.int(t.lane[k]!);
  for (let k = 0; k < count; k++) w.int(t.type[k]! * 65536 + t.f[k]!);
  return w.bytes();
}

/** The table packed for the page; `head` (default headPairs of its lanes) bounds the head. */
export function encodeOpTable(t: OpTable, head = headPairs(t.lanes.length)): PackedOpTable {
  const headN = Math.min(t.n, Math.max(1, head));
  const d = new VarintWriter();
  for (let k = 0; k < t.n; k++) d.int(t.proc[k]!);
  const subUs = (ns: number): number => ns - Math.floor(ns / 1000) * 1000;
  for (let k = 0; k < t.n; k++) d.int(subUs(t.t0ns[k]!) * 1000 + (t.cmp[k]! >= 0 ? subUs(t.t1ns[k]!) : 0));
  return {
    n: t.n,
    lanes: t.lanes,
    fs: t.fs,
    endMs: t.endMs,
    nemesisLane: t.nemesisLane,
    headN,
    head: Buffer.from(packColumns(t, headN)).toString('base64'),
    packed: headN < t.n ? packBase64(packColumns(t, t.n), PACK_LEVEL) : '',
    detail: packBase64(d.bytes(), 1),
  };
}

export interface OpCounts {
  events: number;
  ok: number;
  fail: number;
  info: number;
  /** Client invocations that never completed. */
  incomplete: number;
  /** Nemesis invocations. */
  nemesis: number;
  durationS: number;
}

export function countOps(t: OpTable, events: number): OpCounts {
  const c: OpCounts = { events, ok: 0, fail: 0, info: 0, incomplete: 0, nemesis: 0, durationS: t.endMs / 1000 };
  for (let k = 0; k < t.n; k++) {
    if (t.lane[k] === t.nemesisLane) {
      c.nemesis++;
      continue;
    }
    const type = t.type[k]!;
    if (type === TYPE_CODE.ok) c.ok++;
    else if (type === TYPE_CODE.fail) c.fail++;
    else if (type === TYPE_CODE.info) c.info++;
    else c.incomplete++;
  }
  return c;
}
