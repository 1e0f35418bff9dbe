/**
 * The static HTML sections of the report, readable without JavaScript: summary (verdict,
 * consistency models, anomaly counts, checkers, parameters, replay command), anomaly panels,
 * fault coverage and node logs.
 */
import type { History } from '../../core/op.ts';
import type { CheckResult } from '../../core/validity.ts';
import { verdictWord } from '../summary.ts';
import { boundEvidence, cutString } from '../../../checkers/bounded.ts';
import { glossaryEntry } from '../../../checkers/glossary/index.ts';
import { demoLines, glossaryAnchor, rulesOutLine } from '../../../checkers/glossary/text.ts';
import { escapeHtml as esc, showValue } from './escape.ts';
import type { AnomalyCase, CheckerEvidence, EvidenceTable } from './evidence.ts';
import type { FaultCoverage } from './coverage.ts';
import type { OpCounts } from './op-table.ts';
import { pairAt, pairLine, ms } from './op-text.ts';
import type { TestView } from './run-data.ts';
import { cycleSvg } from './svg-cycle.ts';
import { intervalsSvg, opsSvg, pathTail } from './svg-intervals.ts';

const PARAM_KEYS = ['db', 'workload', 'nemesis', 'nemesisIntervalS', 'provider', 'nodes', 'concurrency', 'timeLimitS', 'rate', 'opTimeoutMs', 'recoveryS', 'seed', 'bug', 'options'];

function list(items: string[], empty = '—'): string {
  return items.length ? items.map(esc).join(', ') : empty;
}

function verdictSpan(v: CheckResult['valid']): string {
  const w = verdictWord(v);
  return `<span class="verdict ${w}">${w}</span>`;
}

export function summarySection(input: {
  valid: CheckResult['valid'];
  evidence: CheckerEvidence[];
  checkers: Record<string, CheckResult>;
  test: TestView;
  counts: OpCounts;
  runErrors: string[];
  resultError: string | undefined;
}): string {
  const { evidence, test } = input;
  const not = [...new Set(evidence.flatMap((e) => e.not))];
  const alsoNot = [...new Set(evidence.flatMap((e) => e.alsoNot))].filter((m) => !not.includes(m));
  const possible = [...new Set(evidence.flatMap((e) => e.possible))];
  const models =
    not.length || alsoNot.length || possible.length
      ? `<h3>Consistency models</h3><table class="models">
<tr><th>may satisfy</th><td class="ok-models">${list(possible, 'not reported')}</td></tr>
<tr><th>ruled out</th><td class="not-models">${list(not, 'none')}</td></tr>
<tr><th>also ruled out (stronger)</th><td class="also-not-models">${list(alsoNot, 'none')}</td></tr></table>`
      : '';
  const anomalyRows = evidence.flatMap((e) =>
    Object.entries(e.counts).map(([type, n]) => {
      const g = glossaryEntry(type);
      const name = g ? `<a href="#${glossaryAnchor(type)}">${esc(type)}</a>` : esc(type);
      return `<tr data-type="${esc(type)}" data-checker="${esc(e.checker)}"><td>${name}</td><td>${g ? esc(g.title) : ''}</td><td class="num">${n}</td><td>${esc(e.checker)}</td></tr>`;
    }),
  );
  const anomalies = anomalyRows.length
    ? `<h3>Anomalies</h3><table class="anomaly-counts"><tr><th>type</th><th>what it is</th><th>count</th><th>checker</th></tr>${anomalyRows.join('')}</table>`
    : '<p class="no-anomalies">No anomalies found.</p>';
  const checkerRows = Object.entries(input.checkers)
    .map(([name, r]) => {
      const e = evidence.find((x) => x.checker === name);
      const measurement = typeof r['measurement'] === 'string' ? r['measurement'] : '';
      const found = r.anomalyTypes?.length ? r.anomalyTypes.join(', ') : (r.error ?? measurement);
      const elapsed = typeof r['elapsedMs'] === 'number' ? `${r['elapsedMs']} ms` : '';
      // A measurement (availability, coverage, latency) is shown with its numbers, not as a verdict.
      const verdict = e?.informational && r.valid === true ? '<span class="verdict INFO">INFO</span>' : verdictSpan(r.valid);
      return `<tr><td>${esc(name)}</td><td>${verdict}</td><td>${esc(found)}</td><td class="num">${elapsed}</td></tr>`;
    })
    .join('');
  const params = PARAM_KEYS.filter((k) => test.options[k] !== undefined)
    .map((k) => `<tr><th>${esc(k)}</th><td>${esc(showValue(test.options[k], 300))}</td></tr>`)
    .join('');
  const c = input.counts;
  const errors = [...(input.resultError ? [input.resultError] : []), ...input.runErrors];
  return `<section id="summary">
<h2>Summary</h2>
<p class="lead">Verdict: ${verdictSpan(input.valid)} — ${c.events} events, ${c.ok} ok / ${c.fail} fail / ${c.info} info${c.incomplete ? ` / ${c.incomplete} never completed` : ''} client ops, ${c.nemesis} nemesis ops over ${c.durationS.toFixed(1)} s.</p>
${errors.length ? `<ul class="run-errors">${errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}
${models}
${anomalies}
<h3>Checkers</h3>
<table class="checkers"><tr><th>checker</th><th>verdict</th><th>found</th><th>time</th></tr>${checkerRows}</table>
<h3>Test</h3>
<table class="params">${params}${test.startedAt ? `<tr><th>started</th><td>${esc(test.startedAt)}</td></tr>` : ''}</table>
<p>Replay: <code class="replay">${test.replay ? esc(test.replay) : 'not recorded'}</code></p>
</section>`;
}

/** The full JSON of an op shown in the page: cut to a readable length (history.jsonl has it whole). */
const MAX_OP_JSON = 4000;

function opItem(history: History, partner: Int32Array, i: number, anchored: Set<number>, role?: string): string {
  const pair = pairAt(history, partner, i);
  const inv = pair.invoke?.index ?? i;
  const id = anchored.has(inv) ? '' : ` id="op-${inv}"`;
  anchored.add(inv);
  const op = pair.invoke ?? pair.completion;
  const at = op ? ` at ${ms(op.time)} ms` : '';
  const full = [pair.invoke, pair.completion]
    .filter((o) => o !== undefined)
    .map((o) => esc(cutString(JSON.stringify(boundEvidence(o, { maxString: MAX_OP_JSON, maxItems: 200, maxKeys: 200 })), MAX_OP_JSON)))
    .join('\n');
  const roleHtml = role ? `<span class="role">${esc(role)}</span> ` : '';
  return `<li${id}>${roleHtml}<a href="#op-${inv}" data-op="${inv}" class="op-link">op ${i}</a> ${esc(pairLine(pair))}<small>${at}</small><details><summary>invoke / completion</summary><pre>${full}</pre></details></li>`;
}

/** Invocations of a session's ops between two event indexes (inclusive): the first `max`, scanning at most 50,000 events. */
function sessionOps(history: History, s: NonNullable<AnomalyCase['session']>, max: number): number[] {
  const out: number[] = [];
  const scanLimit = 50_000;
  for (let i = s.from, n = 0; i <= s.to && i < history.length && n < scanLimit && out.length < max; i++, n++) {
    const op = history[i]!;
    if (op.type === 'invoke' && op.process === s.process) out.push(i);
  }
  return out;
}

/** An explanation line as shown: long values in it are cut (results.json may hold more). */
const MAX_LINE = 600;

function caseHtml(c: AnomalyCase, k: string, history: History, partner: Int32Array, anchored: Set<number>): string {
  const parts: string[] = [`<div class="case" data-type="${esc(c.type)}">`, `<h4>${esc(c.type)}</h4>`];
  if (c.explanation.length) parts.push(`<div class="explanation">${c.explanation.map((l) => `<p>${esc(cutString(l, MAX_LINE))}</p>`).join('')}</div>`);
  if (c.cycle) {
    const names = c.cycle.txns.map((op, i) => `<li>T${i + 1} = ${opItem(history, partner, op, anchored).replace(/^<li[^>]*>|<\/li>$/g, '')}</li>`);
    const steps = c.cycle.steps.map((s, i) => {
      const from = `T${i + 1}`;
      const to = `T${((i + 1) % c.cycle!.txns.length) + 1}`;
      return `<li>${from} → ${to}: ${esc(s.label)}${s.text ? ` — ${esc(cutString(s.text, MAX_LINE))}` : ''}</li>`;
    });
    parts.push(`<div class="cycle-graph">${cycleSvg(c.cycle, `cy-${k}`)}</div><ul class="txns">${names.join('')}</ul><ol class="steps">${steps.join('')}</ol>`);
  }
  if (c.linear) {
    const svg = intervalsSvg(c.linear, history, partner);
    if (svg) parts.push(`<div class="intervals-graph">${svg}</div>`);
    const paths = c.linear.paths.map((p, i) => {
      const skipped = p.ops.length - pathTail(p.ops).length;
      const ops = pathTail(p.ops).map((o, j) => {
        const state = p.states[skipped + j];
        return `<a href="#op-${o}" data-op="${o}">op ${o}</a>${state ? ` <small>⇒ ${esc(showValue(state, 120))}</small>` : ''}`;
      });
      return `<li>linearization ${i + 1}: ${skipped ? `… ${skipped} earlier ops → ` : ''}${ops.join(' → ')}${p.illegal ? ` <span class="illegal">✗ ${esc(cutString(p.illegal, MAX_LINE))}</span>` : ''}</li>`;
    });
    if (paths.length) parts.push(`<ol class="paths">${paths.join('')}</ol>`);
  }
  if (c.roles.length) {
    const context = c.session ? sessionOps(history, c.session, 12).map((i): [number, string] => [i, '']) : [];
    const svg = opsSvg([...c.roles, ...context], history, partner);
    if (svg) parts.push(`<div class="intervals-graph">${svg}</div>`);
  }
  const shownFacts = c.facts.slice(0, 12);
  if (shownFacts.length && c.roles.length) {
    parts.push(`<p class="facts-line">${shownFacts.map(([key, v]) => `<span><b>${esc(key)}</b> ${esc(v)}</span>`).join(' · ')}</p>`);
  } else if (shownFacts.length && !c.cycle) {
    parts.push(`<table class="facts">${shownFacts.map(([key, v]) => `<tr><th>${esc(key)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`);
  }
  if (c.roles.length) {
    parts.push(`<ol class="ops chain">${c.roles.map(([i, role]) => opItem(history, partner, i, anchored, role)).join('')}</ol>`);
  } else if (c.ops.length && !c.cycle) {
    const shown = c.ops.slice(0, 30);
    parts.push(`<ul class="ops">${shown.map((i) => opItem(history, partner, i, anchored)).join('')}</ul>${c.ops.length > shown.length ? `<p>… and ${c.ops.length - shown.length} more ops</p>` : ''}`);
  }
  parts.push('</div>');
  return parts.join('');
}

/** Cases with roles drawn in full, per anomaly type; the others of that type are rows of a table. */
const DETAILED_CASES = 3;

/** Further cases in one row each: what happened, and each op with its role. */
function compactCases(cases: AnomalyCase[], history: History, partner: Int32Array): string {
  if (!cases.length) return '';
  const rows = cases.map((c) => {
    const ops = c.roles
      .map(([i, role]) => {
        const inv = pairAt(history, partner, i).invoke?.index ?? i;
        return `<a href="#op-${inv}" data-op="${inv}" class="op-link" title="${esc(role)}">op ${i}</a> <small>${esc(role)}</small>`;
      })
      .join('<br>');
    return `<tr class="case-row" data-type="${esc(c.type)}"><td>${esc(c.type)}</td><td>${esc(cutString(c.explanation.join(' '), MAX_LINE))}</td><td>${ops}</td></tr>`;
  });
  return `<table class="more-cases"><caption>More cases</caption><tr><th>type</th><th>what happened</th><th>ops</th></tr>${rows.join('')}</table>`;
}

/** Every case of a panel: role cases in full up to DETAILED_CASES per type, then compact. */
function casesHtml(cases: AnomalyCase[], n: number, history: History, partner: Int32Array, anchored: Set<number>): string {
  const perType = new Map<string, number>();
  const full: string[] = [];
  const rest: AnomalyCase[] = [];
  cases.forEach((c, i) => {
    const k = perType.get(c.type) ?? 0;
    perType.set(c.type, k + 1);
    if (c.roles.length && k >= DETAILED_CASES) rest.push(c);
    else full.push(caseHtml(c, `${n}-${i}`, history, partner, anchored));
  });
  return full.join('') + compactCases(rest, history, partner);
}

/** A summary table; with `bars`, the last column (a count) also drawn as a bar. */
function tableHtml(t: EvidenceTable): string {
  const head = `<tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}${t.bars ? '<th></th>' : ''}</tr>`;
  const max = t.bars ? Math.max(1, ...t.rows.map((r) => Number(r[r.length - 1]) || 0)) : 1;
  const bar = (r: string[]): string => (t.bars ? `<td class="bar-cell"><span class="bar" style="width:${Math.round((100 * (Number(r[r.length - 1]) || 0)) / max)}%"></span></td>` : '');
  const rows = t.rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}${bar(r)}</tr>`).join('');
  return `<table class="evidence-table"><caption>${esc(t.caption)}</caption>${head}${rows}</table>`;
}

/** What an anomaly type means, from the glossary: the definition in view, the rest one click away. */
function glossaryHtml(type: string, anchored: Set<string>): string {
  const g = glossaryEntry(type);
  if (!g) return '';
  const anchor = glossaryAnchor(type);
  const id = anchored.has(anchor) ? '' : ` id="${anchor}"`;
  anchored.add(anchor);
  const example = g.exampleText.length ? `<p>Smallest example:</p><pre>${esc(g.exampleText.join('\n'))}</pre>` : '';
  const demos = demoLines(g);
  return `<div class="glossary"${id} data-type="${esc(type)}"><p><strong>${esc(type)}: ${esc(g.title)}.</strong> ${esc(g.definition)}</p>
<details><summary>Example, models it rules out, how to see it</summary>${example}<p>Rules out: ${esc(rulesOutLine(g))}.</p>${g.note ? `<p>${esc(g.note)}</p>` : ''}${
    demos.length ? `<p>Demonstrated by:</p><pre>${esc(demos.join('\n'))}</pre>` : ''
  }</details></div>`;
}

export function anomaliesSection(evidence: CheckerEvidence[], history: History, partner: Int32Array): string {
  const anchored = new Set<number>();
  const explained = new Set<string>();
  const panels = evidence
    .filter((e) => e.cases.length > 0 || e.valid !== true)
    .filter((e) => !(e.informational && e.valid === true))
    .map((e, n) => {
      const types = [...new Set([...e.anomalyTypes, ...Object.keys(e.counts)])];
      const glossary = types.map((t) => glossaryHtml(t, explained)).join('');
      const tables = e.tables.map(tableHtml).join('');
      const cases = casesHtml(e.cases, n, history, partner, anchored);
      const total = Object.values(e.counts).reduce((a, b) => a + b, 0);
      const more = total > e.cases.length ? `<p>Showing ${e.cases.length} of ${total} cases; results.json has more.</p>` : '';
      const error = e.error ? `<p class="checker-error">${esc(cutString(e.error, MAX_LINE))}</p>` : '';
      const none = e.cases.length === 0 && !e.error ? '<p class="no-cases">The checker gave no case details.</p>' : '';
      return `<article class="anomaly-panel" data-checker="${esc(e.checker)}"><h3>${esc(e.checker)} ${verdictSpan(e.valid)}</h3>${error}${glossary}${tables}${cases}${more}${none}</article>`;
    });
  if (!panels.length) return '<section id="anomalies"><h2>Anomalies</h2><p>None: every checker found the history valid.</p></section>';
  return `<section id="anomalies"><h2>Anomalies</h2>${panels.join('')}</section>`;
}

export function coverageSection(cov: FaultCoverage): string {
  if (cov.windows.length === 0) return '<section id="faults"><h2>Fault coverage</h2><p>No faults ran.</p></section>';
  const kinds = cov.kinds
    .map((k) => `<tr><td><span class="swatch" style="background:${esc(k.color)}"></span>${esc(k.kind)}</td><td class="num">${k.windows}</td><td class="num">${(k.totalMs / 1000).toFixed(2)} s</td><td class="num">${k.opsOverlapping}</td></tr>`)
    .join('');
  const windows = cov.windows
    .map(
      (w) =>
        `<tr><td><span class="swatch" style="background:${esc(w.color)}"></span>${esc(w.kind)}</td><td>${esc(w.target)}</td><td class="num">${(w.startMs / 1000).toFixed(3)}</td><td class="num">${(w.endMs / 1000).toFixed(3)}${w.endIndex === null ? ' (never stopped)' : ''}</td><td class="num">${((w.endMs - w.startMs) / 1000).toFixed(3)} s</td><td class="num">${w.ops.ok}</td><td class="num">${w.ops.fail}</td><td class="num">${w.ops.info + w.ops.none}</td><td><a href="#op-${w.startIndex}" data-op="${w.startIndex}">op ${w.startIndex}</a></td></tr>`,
    )
    .join('');
  return `<section id="faults"><h2>Fault coverage</h2>
<table class="fault-kinds"><tr><th>fault</th><th>windows</th><th>total time</th><th>ops overlapping</th></tr>${kinds}</table>
<table class="fault-windows"><tr><th>fault</th><th>target</th><th>start (s)</th><th>end (s)</th><th>duration</th><th>ok</th><th>fail</th><th>info</th><th>start op</th></tr>${windows}</table></section>`;
}

export interface NodeLog {
  node: string;
  /** Path relative to the run directory. */
  path: string;
  bytes: number;
}

export function logsSection(logs: NodeLog[]): string {
  if (!logs.length) return '<section id="logs"><h2>Node logs</h2><p>No node logs were collected.</p></section>';
  const byNode = new Map<string, NodeLog[]>();
  for (const l of logs) byNode.set(l.node, [...(byNode.get(l.node) ?? []), l]);
  const items = [...byNode]
    .map(([node, files]) => `<li><strong>${esc(node)}</strong>: ${files.map((f) => `<a href="${esc(f.path.split('/').map(encodeURIComponent).join('/'))}">${esc(f.path.split('/').slice(2).join('/'))}</a> <small>(${f.bytes} B)</small>`).join(', ')}</li>`)
    .join('');
  return `<section id="logs"><h2>Node logs</h2><ul class="node-logs">${items}</ul></section>`;
}
