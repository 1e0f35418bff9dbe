/**
 * Two runs side by side, to see what changed between them: what each tested and its verdict,
 * each checker's verdict, anomaly counts, latency quantiles per f and the fault schedules drawn
 * on one time axis. Built from the runs' summary.json files; rows that differ are highlighted.
 */
import { escapeHtml as esc } from '../html/escape.ts';
import { isRecord } from '../html/run-data.ts';
import { anomaliesText, pageHead, shortTime, urlPath, verdictClass, verdictLabel } from './pages.ts';
import { configLabel, type RunEntry } from './runs.ts';

type Rec = Record<string, unknown>;

export interface ComparedRun {
  run: RunEntry;
  /** Its summary.json; undefined when the run has none (not checked, or from an older version). */
  summary: Rec | undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const rec = (v: unknown): Rec => (isRecord(v) ? v : {});

function row(label: string, a: string, b: string, cls = ''): string {
  return `<tr class="${a === b ? 'same' : 'differs'}"><th>${esc(label)}</th><td class="${cls}">${esc(a)}</td><td class="${cls}">${esc(b)}</td></tr>`;
}

function verdictCell(v: unknown): string {
  const valid = v === true || v === false || v === 'unknown' ? v : null;
  return `<span class="v ${verdictClass(valid)}">${verdictLabel(valid)}</span>`;
}

/** What each run tested and how it ended. */
function overview(a: ComparedRun, b: ComparedRun): string {
  const ops = (s: Rec | undefined): string => {
    const o = rec(s?.['ops']);
    return s ? `${String(o['ok'] ?? '?')} ok / ${String(o['fail'] ?? '?')} fail / ${String(o['info'] ?? '?')} info` : '';
  };
  const dur = (r: RunEntry): string => (r.durationS === null ? '' : `${r.durationS.toFixed(1)} s`);
  const rows = [
    `<tr class="${a.run.valid === b.run.valid ? 'same' : 'differs'}"><th>verdict</th><td>${verdictCell(a.run.valid)}</td><td>${verdictCell(b.run.valid)}</td></tr>`,
    row('started', shortTime(a.run.startedAt), shortTime(b.run.startedAt)),
    row('what it tests', configLabel(a.run), configLabel(b.run)),
    row('seed', String(a.run.seed ?? ''), String(b.run.seed ?? '')),
    row('anomalies', anomaliesText(a.run), anomaliesText(b.run)),
    row('duration', dur(a.run), dur(b.run)),
    row('client ops', ops(a.summary), ops(b.summary)),
    row('replay', String(a.summary?.['replay'] ?? ''), String(b.summary?.['replay'] ?? '')),
  ];
  return `<table id="compare-overview"><tr><th></th><th>A</th><th>B</th></tr>${rows.join('')}</table>`;
}

function checkerTable(a: ComparedRun, b: ComparedRun): string {
  const byName = (s: Rec | undefined): Map<string, Rec> => new Map((Array.isArray(s?.['checkers']) ? (s['checkers'] as unknown[]).filter(isRecord) : []).map((c) => [String(c['name']), c]));
  const ca = byName(a.summary);
  const cb = byName(b.summary);
  const names = [...new Set([...ca.keys(), ...cb.keys()])];
  const rows = names.map((n) => {
    const x = ca.get(n)?.['valid'];
    const y = cb.get(n)?.['valid'];
    return `<tr class="${x === y ? 'same' : 'differs'}" data-checker="${esc(n)}"><th>${esc(n)}</th><td>${ca.has(n) ? verdictCell(x) : '—'}</td><td>${cb.has(n) ? verdictCell(y) : '—'}</td></tr>`;
  });
  return `<h2>Checkers</h2><table id="compare-checkers"><tr><th>checker</th><th>A</th><th>B</th></tr>${rows.join('')}</table>`;
}

function countsTable(a: ComparedRun, b: ComparedRun): string {
  const ca = rec(a.summary?.['anomalyCounts']);
  const cb = rec(b.summary?.['anomalyCounts']);
  const types = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort();
  if (!types.length) return '<h2>Anomaly counts</h2><p>Neither run found an anomaly.</p>';
  const rows = types.map((t) => {
    const x = num(ca[t]) ?? 0;
    const y = num(cb[t]) ?? 0;
    return `<tr class="${x === y ? 'same' : 'differs'}" data-type="${esc(t)}"><th>${esc(t)}</th><td class="num">${x}</td><td class="num">${y}</td><td class="num ${y > x ? 'worse' : y < x ? 'better' : ''}">${y - x > 0 ? '+' : ''}${y - x}</td></tr>`;
  });
  return `<h2>Anomaly counts</h2><table id="compare-anomalies"><tr><th>type</th><th>A</th><th>B</th><th>B − A</th></tr>${rows.join('')}</table>`;
}

const QUANTILES = ['p50', 'p95', 'p99', 'max'] as const;

function latencyTable(a: ComparedRun, b: ComparedRun): string {
  const la = rec(a.summary?.['latencyMs']);
  const lb = rec(b.summary?.['latencyMs']);
  const fs = [...new Set([...Object.keys(la), ...Object.keys(lb)])].sort();
  if (!fs.length) return '<h2>Latency</h2><p>No latency in the summaries (runs checked by an older version, or without ok ops).</p>';
  const rows = fs.flatMap((f) =>
    QUANTILES.map((q) => {
      const x = num(rec(la[f])[q]);
      const y = num(rec(lb[f])[q]);
      const change = x !== undefined && y !== undefined && x > 0 ? Math.round(((y - x) / x) * 100) : undefined;
      const cls = change === undefined ? '' : change > 10 ? 'worse' : change < -10 ? 'better' : '';
      return `<tr data-f="${esc(f)}" data-q="${q}"><th>${esc(f)} ${q}</th><td class="num">${x ?? '—'}</td><td class="num">${y ?? '—'}</td><td class="num ${cls}">${change === undefined ? '' : `${change > 0 ? '+' : ''}${change} %`}</td></tr>`;
    }),
  );
  return `<h2>Latency of ok ops (ms)</h2><table id="compare-latency"><tr><th>f, quantile</th><th>A</th><th>B</th><th>change</th></tr>${rows.join('')}</table>`;
}

const KIND_COLORS = ['#e15759', '#4e79a7', '#f28e2b', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f'];

interface Window {
  kind: string;
  target: string;
  startS: number;
  endS: number;
}

function windowsOf(s: Rec | undefined): Window[] {
  const list = Array.isArray(s?.['faultSchedule']) ? (s['faultSchedule'] as unknown[]).filter(isRecord) : [];
  return list.flatMap((w) => {
    const startS = num(w['startS']);
    const endS = num(w['endS']);
    return startS === undefined || endS === undefined ? [] : [{ kind: String(w['kind']), target: String(w['target'] ?? ''), startS, endS }];
  });
}

/** Both fault schedules on one time axis, one lane per run, a colour per fault kind. */
function scheduleSvg(a: Window[], b: Window[], spanS: number, colorOf: (kind: string) => string): string {
  const left = 30;
  const width = 900;
  const x = (t: number): number => left + (t / Math.max(spanS, 1e-9)) * (width - left - 10);
  const lane = (ws: Window[], y: number, name: string): string =>
    `<text x="4" y="${y + 14}">${name}</text>` +
    ws.map((w) => `<rect x="${x(w.startS).toFixed(1)}" y="${y}" width="${Math.max(1, x(w.endS) - x(w.startS)).toFixed(1)}" height="20" fill="${colorOf(w.kind)}" opacity="0.8"><title>${esc(`${w.kind} ${w.target}: ${w.startS}–${w.endS} s`)}</title></rect>`).join('');
  const digits = spanS >= 50 ? 0 : spanS >= 5 ? 1 : 2;
  const ticks = Array.from({ length: 6 }, (_, i) => (spanS * i) / 5).map((t) => `<text x="${x(t).toFixed(1)}" y="70" text-anchor="middle">${t.toFixed(digits)} s</text>`);
  return `<svg class="schedule" viewBox="0 0 ${width} 76" width="${width}" height="76" role="img" aria-label="fault schedules of A and B">${lane(a, 4, 'A')}${lane(b, 30, 'B')}${ticks.join('')}</svg>`;
}

function scheduleSection(a: ComparedRun, b: ComparedRun): string {
  const wa = windowsOf(a.summary);
  const wb = windowsOf(b.summary);
  if (!wa.length && !wb.length) return '<h2>Fault schedules</h2><p>No faults in either run (or no schedule in their summaries).</p>';
  const kinds = [...new Set([...wa, ...wb].map((w) => w.kind))].sort();
  const colorOf = (k: string): string => KIND_COLORS[kinds.indexOf(k) % KIND_COLORS.length]!;
  const span = Math.max(a.run.durationS ?? 0, b.run.durationS ?? 0, ...[...wa, ...wb].map((w) => w.endS));
  const legend = kinds.map((k) => `<span><span class="swatch" style="display:inline-block;width:.9em;height:.9em;background:${colorOf(k)}"></span> ${esc(k)}</span>`).join(' ');
  const list = (ws: Window[]): string => `<ol class="windows">${ws.map((w) => `<li>${esc(w.kind)} ${esc(w.target)}: ${w.startS}–${w.endS} s</li>`).join('')}</ol>`;
  return `<h2>Fault schedules</h2><p>${legend}</p>${scheduleSvg(wa, wb, span, colorOf)}
<table id="compare-schedule"><tr><th>A (${wa.length} windows)</th><th>B (${wb.length} windows)</th></tr><tr><td>${list(wa)}</td><td>${list(wb)}</td></tr></table>`;
}

export function comparePage(a: ComparedRun, b: ComparedRun): string {
  const link = (r: RunEntry): string => `<a href="/runs/${urlPath(r.path)}/">${esc(r.path)}</a>${r.hasReport ? ` (<a href="/files/${urlPath(r.path)}/report.html">report</a>)` : ''}`;
  const missing = [a, b].filter((x) => !x.summary).map((x) => `<p class="warn">${esc(x.run.path)} has no summary.json: re-check it with <code>faultline report</code> to compare its details.</p>`);
  return `${pageHead(`compare ${a.run.path} and ${b.run.path}`)}
<p><a href="/">← all runs</a>${a.run.test === b.run.test ? ` · <a href="/tests/${encodeURIComponent(a.run.test)}/">${esc(a.run.test)} history</a>` : ''}</p>
<h1>A: ${link(a.run)}<br>B: ${link(b.run)}</h1>${missing.join('')}
${overview(a, b)}
${checkerTable(a, b)}
${countsTable(a, b)}
${latencyTable(a, b)}
${scheduleSection(a, b)}
</body></html>`;
}
