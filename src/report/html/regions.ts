/**
 * The per-region panel of a run with a topology (test.json `topology`): the WAN between regions
 * as a round-trip matrix, then for each region and phase (outside faults, cut off by a region
 * partition, on the other side of one, the whole run) availability and the latency of the ops the
 * store answered, from the regions checker; and the lost updates a multi-leader store paid for
 * staying available.
 * Static HTML, readable without JavaScript.
 */
import type { CheckResult } from '../../core/validity.ts';
import type { Topology, WanLink } from '../../core/topology.ts';
import { escapeHtml as esc } from './escape.ts';
import { isRecord } from './run-data.ts';

interface Phase {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  availability: number | null;
  latency: { count: number; quantilesMs: Record<string, number> };
}

const PHASES: readonly [key: string, label: string][] = [
  ['outsideFaults', 'outside faults'],
  ['cutOff', 'its region cut off'],
  ['otherSide', 'another region cut off'],
  ['overall', 'whole run'],
];

/** The topology as test.json holds it, or undefined when the run had none (or it is unreadable). */
export function storedTopology(test: Record<string, unknown>): Topology | undefined {
  const t = test['topology'];
  if (!isRecord(t) || typeof t['name'] !== 'string' || !Array.isArray(t['regions']) || !Array.isArray(t['links'])) return undefined;
  const regions = t['regions'].filter((r): r is { name: string; nodes: string[] } => isRecord(r) && typeof r['name'] === 'string' && Array.isArray(r['nodes']));
  const links = t['links'].filter(
    (l): l is WanLink => isRecord(l) && Array.isArray(l['between']) && Array.isArray(l['oneWayMs']) && l['oneWayMs'].every((x) => typeof x === 'number') && typeof l['jitterMs'] === 'number',
  );
  return { name: t['name'], regions, links };
}

function ms(x: number): string {
  return `${Math.round(x * 10) / 10} ms`;
}

/** Round trip from row region to column region (one-way halves when they differ), with jitter. */
function matrix(t: Topology): string {
  const names = t.regions.map((r) => r.name);
  const cell = (a: string, b: string): string => {
    if (a === b) return '<td class="num">LAN</td>';
    const l = t.links.find((x) => x.between.includes(a) && x.between.includes(b));
    if (!l) return '<td class="num">?</td>';
    const [ab, ba] = l.between[0] === a ? [l.oneWayMs[0], l.oneWayMs[1]] : [l.oneWayMs[1], l.oneWayMs[0]];
    const asym = ab !== ba ? ` <small>(${ms(ab)} there, ${ms(ba)} back)</small>` : '';
    return `<td class="num">${ms(ab + ba)}${l.jitterMs > 0 ? ` <small>+ up to ${ms(2 * l.jitterMs)}</small>` : ''}${asym}</td>`;
  };
  const head = `<tr><th>round trip</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
  const rows = names.map((a) => `<tr><th>${esc(a)}</th>${names.map((b) => cell(a, b)).join('')}</tr>`).join('');
  return `<table class="wan-matrix">${head}${rows}</table>`;
}

function phaseCells(p: Phase | undefined): string {
  if (!p || p.ops === 0) return '<td class="num">0</td><td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="bar-cell"></td>';
  const avail = p.availability ?? 0;
  const q = (k: string) => (p.latency.count > 0 ? ms(p.latency.quantilesMs[k] ?? 0) : '—');
  return `<td class="num">${p.ops}</td><td class="num">${(avail * 100).toFixed(1)}%</td><td class="num">${q('0.5')}</td><td class="num">${q('0.99')}</td><td class="bar-cell"><span class="bar availability" style="width:${Math.round(avail * 100)}%"></span></td>`;
}

function opLink(i: number): string {
  return `<a href="#op-${i}" data-op="${i}" class="op-link">op ${i}</a>`;
}

function lostUpdatesHtml(lost: unknown): string {
  if (!isRecord(lost) || typeof lost['total'] !== 'number') return '';
  const total = lost['total'];
  const examples = Array.isArray(lost['examples']) ? lost['examples'].filter(isRecord).slice(0, 5) : [];
  const items = examples.map((g) => {
    const ops = Array.isArray(g['lost']) ? g['lost'].filter((i): i is number => typeof i === 'number') : [];
    const to = typeof g['lostTo'] === 'number' ? ` lost to ${opLink(g['lostTo'])}` : '';
    return ops.map(opLink).join(', ') + to;
  });
  const intro =
    total === 0
      ? '<p class="lost-updates">Lost updates: <strong>0</strong>. Every acknowledged update is accounted for by the state the register ended in.</p>'
      : `<p class="lost-updates">Lost updates: <strong>${total}</strong> (${Number(lost['crossRegion'] ?? 0)} across regions, ${Number(lost['duringRegionPartitions'] ?? 0)} during region partitions). ` +
        'Acknowledged updates the register\'s final state never reflected: each value is written once, so the state it ended in descends through one chain of compare-and-sets, and an update made after that chain began that the chain never saw was dropped (a split brain\'s resync drops the losing side\'s whole branch), as is every extra branch where two compare-and-sets from one value both succeeded: the price of accepting writes on every side.</p>';
  return intro + (items.length ? `<ul class="lost-update-examples">${items.map((l) => `<li>${l}</li>`).join('')}</ul>` : '');
}

/** The panel, or '' for a run without a topology. */
export function regionsSection(test: Record<string, unknown>, result: CheckResult | undefined): string {
  const t = storedTopology(test);
  if (!t) return '';
  const where = t.regions.map((r) => `<strong>${esc(r.name)}</strong> ${esc(r.nodes.join(', '))}`).join(' · ');
  const rows = Array.isArray(result?.['regions']) ? (result['regions'] as unknown[]).filter(isRecord) : [];
  const partitions = Array.isArray(result?.['partitions']) ? (result['partitions'] as unknown[]).length : 0;
  const table = rows.length
    ? `<table class="region-phases"><tr><th>region</th><th>when</th><th>ops</th><th>answered</th><th>p50</th><th>p99</th><th></th></tr>${rows
        .flatMap((r) =>
          PHASES.map(([key, label], i) => {
            const first = i === 0 ? `<th rowspan="${PHASES.length}" data-region="${esc(String(r['region']))}">${esc(String(r['region']))}</th>` : '';
            return `<tr class="phase-${key}">${first}<td>${label}</td>${phaseCells(r[key] as Phase | undefined)}</tr>`;
          }),
        )
        .join('')}</table>`
    : `<p class="checker-error">No per-region results${result?.error ? `: ${esc(result.error)}` : ''}.</p>`;
  return `<section id="regions"><h2>Regions</h2>
<p>Topology <strong>${esc(t.name)}</strong>: ${where}. Ops count for the region of the node their client talked to; ${partitions} region partition${partitions === 1 ? '' : 's'} ran.</p>
${matrix(t)}
<p>Answered: ok, or a compare-and-set refused because the register held another value; latency quantiles are of the answered ops.</p>
${table}
${lostUpdatesHtml(result?.['lostUpdates'])}
</section>`;
}
