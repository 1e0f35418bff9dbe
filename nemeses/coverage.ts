/**
 * Fault coverage of a run: per fault kind and target, how many windows, for how long in total,
 * and how many client ops overlapped them (by outcome). Windows come from the shared
 * checkers/fault-windows.ts; the target is read from the start op's completion (the nodes, grudge
 * or links the fault really hit). A function over the history: no cluster needed.
 */
import type { FaultStyle } from '../src/core/nemesis.ts';
import { isClientOp, type History } from '../src/core/op.ts';
import { completionIndex } from '../src/history/pairs.ts';
import { faultWindows } from '../checkers/fault-windows.ts';
import { grudgeLinks } from '../src/net/grudge.ts';
import type { Grudge, Link } from '../src/core/provider.ts';

export interface CoverageRow {
  kind: string;
  /** Nodes hit, e.g. "n1,n3"; for partitions the nodes that dropped something. */
  target: string;
  windows: number;
  /** Total time the fault was active, seconds. */
  activeS: number;
  /** Client ops whose [invoke, completion] span overlapped a window. */
  overlappingOps: number;
  byType: { ok: number; fail: number; info: number; incomplete: number };
}

export interface FaultCoverage {
  rows: CoverageRow[];
  /** Totals per fault kind. */
  kinds: Record<string, { windows: number; activeS: number; overlappingOps: number }>;
}

/** The target description of a fault's effect value. */
export function targetOf(value: unknown): string {
  const v = (value ?? {}) as { nodes?: unknown; grudge?: unknown; links?: unknown };
  const nodesOfLinks = (links: readonly Link[]) => [...new Set(links.flatMap((l) => [l.from, l.to]))].sort().join(',');
  if (Array.isArray(v.nodes)) return [...(v.nodes as string[])].sort().join(',');
  if (v.grudge && typeof v.grudge === 'object') {
    const links = grudgeLinks(v.grudge as Grudge);
    return [...new Set(links.map((l) => l.to))].sort().join(',') || '(none)';
  }
  if (Array.isArray(v.links)) return nodesOfLinks(v.links as Link[]);
  return '(unknown)';
}

export function faultCoverage(history: History, styles?: readonly FaultStyle[]): FaultCoverage {
  const windows = faultWindows(history, styles);
  const ci = completionIndex(history);
  const end = history.length > 0 ? (history[history.length - 1]?.time ?? 0) : 0;
  const spans: { from: number; to: number; type: keyof CoverageRow['byType'] }[] = [];
  history.forEach((op, i) => {
    if (!isClientOp(op) || op.type !== 'invoke') return;
    const c = ci[i] ?? -1;
    const done = c >= 0 ? history[c] : undefined;
    spans.push({ from: op.time, to: done ? done.time : end, type: done ? (done.type as 'ok' | 'fail' | 'info') : 'incomplete' });
  });
  const rows = new Map<string, CoverageRow>();
  for (const w of windows) {
    const target = targetOf(history[w.startIndex]?.value ?? w.value);
    const key = `${w.kind}\0${target}`;
    let row = rows.get(key);
    if (!row) {
      row = { kind: w.kind, target, windows: 0, activeS: 0, overlappingOps: 0, byType: { ok: 0, fail: 0, info: 0, incomplete: 0 } };
      rows.set(key, row);
    }
    row.windows++;
    row.activeS += (w.end - w.start) / 1e9;
    for (const s of spans) {
      if (s.from <= w.end && s.to >= w.start) {
        row.overlappingOps++;
        row.byType[s.type]++;
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) => (a.kind === b.kind ? a.target.localeCompare(b.target) : a.kind.localeCompare(b.kind)));
  const kinds: FaultCoverage['kinds'] = {};
  for (const r of sorted) {
    const k = (kinds[r.kind] ??= { windows: 0, activeS: 0, overlappingOps: 0 });
    k.windows += r.windows;
    k.activeS += r.activeS;
    k.overlappingOps += r.overlappingOps;
  }
  return { rows: sorted, kinds };
}
