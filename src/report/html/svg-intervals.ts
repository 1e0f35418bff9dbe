/**
 * Ops as static SVG intervals (one row per process, time warped to event order so every op stays
 * readable), coloured by completion. A linearizability counterexample draws each partial
 * linearization as a line through its ops' linearization points, a path that cannot continue
 * ending in a red cross on the op it could not take; other anomalies outline the ops involved.
 */
import type { History } from '../../core/op.ts';
import { escapeHtml, showValue } from './escape.ts';
import type { LinearEvidence } from './evidence.ts';
import { pairAt, type PairRef } from './op-text.ts';

const TYPE_COLORS: Record<string, string> = { ok: '#6DB6FE', info: '#FFAA26', fail: '#FEB5DA', none: '#FFD89A' };
const PATH_COLORS = ['#222222', '#1b9e77', '#7570b3', '#e7298a', '#66a61e', '#a6761d'];
const MAX_OPS = 40;
/** Ops of a (partial) linearization drawn: the last ones, which lead to the failure. */
export const PATH_TAIL = 12;

export function pathTail<T>(ops: readonly T[]): readonly T[] {
  return ops.length > PATH_TAIL ? ops.slice(-PATH_TAIL) : ops;
}

interface Bar {
  invoke: number;
  row: number;
  x0: number;
  x1: number;
  type: string;
  label: string;
}

/** The bars of some ops, one row per process, time warped to event order so every op stays readable. */
interface Layout {
  bars: Bar[];
  processes: string[];
  width: number;
  height: number;
}

const ROW_H = 34;

function layout(invokes: readonly number[], history: History, partner: Int32Array, label: (pair: PairRef) => string): Layout {
  const pairs = invokes.map((i) => pairAt(history, partner, i));
  const times = [...new Set(pairs.flatMap((p) => [p.invoke?.time, p.completion?.time]).filter((t): t is number => t !== undefined))].sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  const step = 56;
  const left = 70;
  const width = left + times.length * step + 40;
  const processes = [...new Set(pairs.map((p) => String((p.invoke ?? p.completion)!.process)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const bars: Bar[] = pairs.map((p, k) => {
    const op = (p.invoke ?? p.completion)!;
    const x0 = left + (p.invoke ? rank.get(p.invoke.time)! : 0) * step;
    const x1 = p.completion ? left + rank.get(p.completion.time)! * step + step / 2 : width - 10;
    return { invoke: invokes[k]!, row: processes.indexOf(String(op.process)), x0, x1: Math.max(x1, x0 + 24), type: p.completion?.type ?? 'none', label: label(p) };
  });
  return { bars, processes, width, height: processes.length * ROW_H + 30 };
}

function opLabel(p: PairRef): string {
  const op = (p.invoke ?? p.completion)!;
  const value = p.completion?.type === 'ok' && p.completion.value !== null ? p.completion.value : p.invoke?.value;
  return `${op.f} ${showValue(value, 16)}`;
}

function svgOpen(l: Layout, cls: string, label: string): string[] {
  const out = [`<svg class="${cls}" viewBox="0 0 ${l.width} ${l.height}" width="${l.width}" height="${l.height}" role="img" aria-label="${escapeHtml(label)}">`];
  l.processes.forEach((p, r) => out.push(`<text x="4" y="${r * ROW_H + 26}" class="row-label">${escapeHtml(/^\d+$/.test(p) ? `p${p}` : p)}</text>`));
  return out;
}

function barSvg(b: Bar, cls: string, title?: string): string {
  const y = b.row * ROW_H + 10;
  return (
    `<a href="#op-${b.invoke}" data-op="${b.invoke}"><rect x="${b.x0}" y="${y}" width="${b.x1 - b.x0}" height="22" rx="3" fill="${TYPE_COLORS[b.type] ?? '#ccc'}" class="op${cls}"/>` +
    `<text x="${b.x0 + 4}" y="${y + 15}" class="op-label">${escapeHtml(b.label)}</text>${title ? `<title>${escapeHtml(title)}</title>` : ''}</a>`
  );
}

/** The invocation index of the pair around any event index. */
function invokeOf(history: History, partner: Int32Array, i: number): number | undefined {
  const pair = pairAt(history, partner, i);
  return pair.invoke?.index ?? pair.completion?.index;
}

/**
 * Some ops of a case on their processes' timelines: `ops` are [event index, role] pairs; ops with
 * a role are outlined, numbered as in the case's list and named in their tooltip, the others
 * (context, such as the rest of a session between two ops, role '') are drawn plainly. Empty
 * when no op is found.
 */
export function opsSvg(ops: ReadonlyArray<readonly [number, string]>, history: History, partner: Int32Array): string {
  const roleOf = new Map<number, string>();
  const numberOf = new Map<number, number>();
  const invokes: number[] = [];
  ops.forEach(([i, role], k) => {
    const inv = invokeOf(history, partner, i);
    if (inv === undefined || (invokes.length >= MAX_OPS && !roleOf.has(inv))) return;
    if (!roleOf.has(inv)) invokes.push(inv);
    if (role) {
      roleOf.set(inv, roleOf.get(inv) ? `${roleOf.get(inv)}; ${role}` : role);
      if (!numberOf.has(inv)) numberOf.set(inv, k + 1);
    } else if (!roleOf.has(inv)) roleOf.set(inv, '');
  });
  if (invokes.length === 0) return '';
  // Ops with a role carry their number in the case's list of ops.
  const l = layout(invokes, history, partner, (p) => {
    const n = numberOf.get((p.invoke ?? p.completion)!.index);
    return `${n === undefined ? '' : `${n}. `}${opLabel(p)}`;
  });
  const out = svgOpen(l, 'intervals ops-strip', `${invokes.length} ops`);
  for (const b of l.bars) {
    const role = roleOf.get(b.invoke);
    out.push(barSvg(b, role ? ' involved' : '', role ? `${role}: op ${b.invoke}` : `op ${b.invoke}`));
  }
  out.push('</svg>');
  return out.join('');
}

export function intervalsSvg(ev: LinearEvidence, history: History, partner: Int32Array): string {
  const invokes: number[] = [];
  const seen = new Set<number>();
  const addOp = (i: number): void => {
    const inv = invokeOf(history, partner, i);
    if (inv !== undefined && !seen.has(inv) && invokes.length < MAX_OPS) {
      seen.add(inv);
      invokes.push(inv);
    }
  };
  for (const i of [ev.failing, ev.previousOk]) if (i !== undefined) addOp(i);
  for (const p of ev.paths) pathTail(p.ops).forEach(addOp);
  ev.ops.forEach(addOp);
  if (invokes.length === 0) return '';
  const l = layout(invokes, history, partner, opLabel);
  const bars = l.bars;
  const out = svgOpen(l, 'intervals', `counterexample: ${bars.length} ops`);
  const failingInv = ev.failing !== undefined ? pairAt(history, partner, ev.failing).invoke?.index : undefined;
  const prevInv = ev.previousOk !== undefined ? pairAt(history, partner, ev.previousOk).invoke?.index : undefined;
  for (const b of bars) out.push(barSvg(b, b.invoke === failingInv ? ' failing' : b.invoke === prevInv ? ' previous' : ''));
  const barOf = new Map(bars.map((b) => [b.invoke, b]));
  ev.paths.forEach((path, k) => {
    const color = PATH_COLORS[k % PATH_COLORS.length]!;
    const points: Array<[number, number]> = [];
    let lastX = 0;
    for (const i of pathTail(path.ops)) {
      const inv = pairAt(history, partner, i).invoke?.index ?? i;
      const b = barOf.get(inv);
      if (!b) continue;
      const x = Math.min(Math.max(lastX + 6, b.x0 + 6), b.x1 - 4);
      lastX = x;
      points.push([x, b.row * ROW_H + 14 + (k % 4) * 4]);
    }
    if (points.length === 0) return;
    const last = points[points.length - 1]!;
    const ok = path.illegal === undefined;
    const okPoints = ok ? points : points.slice(0, -1);
    if (okPoints.length > 1) out.push(`<polyline points="${okPoints.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    for (const [x, y] of okPoints) out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`);
    if (!ok) {
      const prev = okPoints[okPoints.length - 1];
      if (prev) out.push(`<line x1="${prev[0]}" y1="${prev[1]}" x2="${last[0]}" y2="${last[1]}" stroke="#d62728" stroke-dasharray="3 2" stroke-width="1.5"/>`);
      out.push(`<path d="M${last[0] - 4},${last[1] - 4} l8,8 m0,-8 l-8,8" stroke="#d62728" stroke-width="2.5"><title>${escapeHtml(path.illegal ?? '')}</title></path>`);
    }
  });
  out.push('</svg>');
  return out.join('');
}
