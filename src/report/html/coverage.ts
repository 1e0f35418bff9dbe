/**
 * Fault coverage: which faults ran, against what, for how long, and how many client ops
 * overlapped each fault window (by completion type), plus totals per fault kind.
 */
import type { History } from '../../core/op.ts';
import { faultWindows, type FaultWindow } from '../../../checkers/fault-windows.ts';
import { TYPE_CODE, type OpTable } from './op-table.ts';
import { showValue } from './escape.ts';

export interface WindowCoverage {
  kind: string;
  color: string;
  /** What the fault targeted, in words (nodes, grudge, ...). */
  target: string;
  startMs: number;
  endMs: number;
  /** History indexes of the start and stop completions (null: never stopped). */
  startIndex: number;
  endIndex: number | null;
  /** Client ops whose [invoke, completion] overlapped the window, by completion type. */
  ops: { ok: number; fail: number; info: number; none: number };
}

export interface KindCoverage {
  kind: string;
  color: string;
  windows: number;
  totalMs: number;
  opsOverlapping: number;
}

export interface FaultCoverage {
  windows: WindowCoverage[];
  kinds: KindCoverage[];
}

/** Targets in words: a list of nodes, a grudge `n1 ↛ n2,n3`, or compact JSON. */
export function describeTarget(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(', ');
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 0 && entries.every(([, v]) => Array.isArray(v))) {
      return entries.map(([k, v]) => `${k} ↛ ${(v as unknown[]).join(',') || '∅'}`).join('; ');
    }
  }
  return showValue(value, 160);
}

export function faultCoverage(history: History, table: OpTable): FaultCoverage {
  const windows: FaultWindow[] = faultWindows(history);
  const out: WindowCoverage[] = windows.map((w) => ({
    kind: w.kind,
    color: w.color,
    target: describeTarget(w.value),
    startMs: w.start / 1e6,
    endMs: w.end / 1e6,
    startIndex: w.startIndex,
    endIndex: w.endIndex,
    ops: { ok: 0, fail: 0, info: 0, none: 0 },
  }));
  if (out.length > 0) {
    for (let k = 0; k < table.n; k++) {
      if (table.lane[k] === table.nemesisLane) continue;
      const a = table.t0[k]!;
      const t1 = table.t1[k]!;
      const b = Number.isNaN(t1) ? table.endMs : t1;
      const type = table.type[k]!;
      for (const w of out) {
        if (a <= w.endMs && b >= w.startMs) {
          if (type === TYPE_CODE.ok) w.ops.ok++;
          else if (type === TYPE_CODE.fail) w.ops.fail++;
          else if (type === TYPE_CODE.info) w.ops.info++;
          else w.ops.none++;
        }
      }
    }
  }
  const kinds = new Map<string, KindCoverage>();
  for (const w of out) {
    const k = kinds.get(w.kind) ?? { kind: w.kind, color: w.color, windows: 0, totalMs: 0, opsOverlapping: 0 };
    k.windows++;
    k.totalMs += w.endMs - w.startMs;
    k.opsOverlapping += w.ops.ok + w.ops.fail + w.ops.info + w.ops.none;
    kinds.set(w.kind, k);
  }
  return { windows: out, kinds: [...kinds.values()] };
}
