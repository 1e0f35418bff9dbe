/**
 * Builds report.html: one self-contained file with the static summary and anomaly panels, the
 * run's data inline, uPlot and the report script inlined. Everything the first render draws comes
 * before the script and is small whatever the run's size: the head of the op table (the first
 * pairs, for the timeline's first screens), the latency chart binned on a grid, the quantile and
 * throughput series. The whole op table and the event details (inflated only when an op is
 * opened) come after the script, so the page is drawn before the parser gets through them; a
 * one-line script after the table tells the page it can read it. No request leaves the file: its
 * Content-Security-Policy (../csp.ts) allows only its own inline scripts and styles.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageFile } from '../../code-paths.ts';
import { REPORT_POLICY } from '../csp.ts';
import { verdictWord } from '../summary.ts';
import { describeEnd, endHeading } from '../../runner/outcome.ts';
import { analyzeRun, type RunAnalysis } from './analysis.ts';
import { escapeHtml as esc, jsonForScript, scriptForHtml } from './escape.ts';
import { latencyGrid } from './latency-grid.ts';
import { encodeOpTable } from './op-table.ts';
import { eventDetails } from './event-details.ts';
import type { RunData } from './run-data.ts';
import { anomaliesSection, coverageSection, logsSection, summarySection, type NodeLog } from './sections.ts';
import { latencyQuantiles, throughput } from './series.ts';
import { regionsSection } from './regions.ts';

const browserAssets = packageFile('src/report/html/browser');
let assets: { uplotJs: string; uplotCss: string; js: string; css: string } | undefined;

function loadAssets(): NonNullable<typeof assets> {
  if (!assets) {
    const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
    assets = {
      uplotJs: readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8'),
      uplotCss: readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8'),
      js: readFileSync(join(browserAssets, 'report.js'), 'utf8'),
      css: readFileSync(join(browserAssets, 'report.css'), 'utf8'),
    };
  }
  return assets;
}

/** Files under <runDir>/nodes/<node>/, as paths relative to the run directory. */
export function listNodeLogs(runDir: string, maxPerNode = 100): NodeLog[] {
  const out: NodeLog[] = [];
  let nodes: string[];
  try {
    nodes = readdirSync(join(runDir, 'nodes')).sort();
  } catch {
    return out;
  }
  for (const node of nodes) {
    const found: NodeLog[] = [];
    const walk = (rel: string, depth: number): void => {
      let entries;
      try {
        entries = readdirSync(join(runDir, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (found.length >= maxPerNode) return;
        const p = `${rel}/${e.name}`;
        if (e.isDirectory() && depth < 3) walk(p, depth + 1);
        else if (e.isFile()) found.push({ node, path: p, bytes: statSync(join(runDir, p)).size });
      }
    };
    walk(`nodes/${node}`, 0);
    out.push(...found);
  }
  return out;
}

export interface HtmlReportOptions {
  /** Node log files to link (paths relative to the report); see listNodeLogs. */
  logs?: NodeLog[];
  /**
   * Pairs in the head of the op table (default: headPairs in op-table.ts). A run with more is
   * drawn first from its head and its latency grid, then from the whole table; tests set it low
   * to see both steps.
   */
  headPairs?: number;
}

/** The report page for an analysed run (see analyzeRun). */
export function renderHtmlReport(an: RunAnalysis, opts: HtmlReportOptions = {}): string {
  const a = loadAssets();
  const { run, test, valid, checkers, table, evidence, coverage } = an;
  const resultError = typeof run.results['error'] === 'string' && !run.results['checkers'] ? run.results['error'] : undefined;
  // A run cut short that found nothing definite is INCOMPLETE, never VALID.
  const word = an.outcome === 'incomplete' ? 'INCOMPLETE' : verdictWord(valid);
  const banner = an.end ? `<p class="run-end" role="alert"><strong>${endHeading(an.end, an.outcome)}:</strong> ${esc(describeEnd(an.end))}</p>\n` : '';
  const regions = regionsSection(run.test, checkers['regions']);
  const details = eventDetails(run.history);
  const anomalyOps = [...new Set(evidence.flatMap((e) => e.cases.flatMap((c) => c.ops)))].slice(0, 10_000);
  const { detail: pairDetail, packed: wholeTable, ...packedTable } = encodeOpTable(table, opts.headPairs);
  const clientFs = new Set<number>();
  for (let k = 0; k < table.n; k++) if (table.lane[k] !== table.nemesisLane) clientFs.add(table.f[k]!);
  const data = {
    title: run.name,
    table: packedTable,
    // The latency chart's first draw, when the head does not hold every op.
    latencyGrid: packedTable.headN < table.n ? latencyGrid(table) : undefined,
    clientFs: [...clientFs].sort((a, b) => a - b),
    quantiles: latencyQuantiles(table),
    throughput: throughput(table),
    windows: coverage.windows.map((w) => ({ kind: w.kind, color: w.color, startMs: w.startMs, endMs: w.endMs })),
    anomalyOps,
    nodes: details.nodes,
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_POLICY}"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(run.name)} — ${word}</title>
<style>${a.uplotCss}</style>
<style>${a.css}</style>
</head><body class="${word}">
<header><h1>${esc(run.name)} <span class="verdict ${word}">${word}</span></h1>
<nav><a href="#summary">Summary</a> <a href="#anomalies">Anomalies</a> ${regions ? '<a href="#regions">Regions</a> ' : ''}<a href="#charts">Latency &amp; throughput</a> <a href="#timeline">Timeline</a> <a href="#faults">Faults</a> <a href="#logs">Logs</a> <a href="history.jsonl">history.jsonl</a> <a href="results.json">results.json</a></nav></header>
<main>
${banner}${summarySection({ valid, evidence, checkers, test, counts: an.counts, runErrors: an.runErrors, resultError })}
${anomaliesSection(evidence, run.history, an.partner)}
${regions}<section id="charts"><h2>Latency and throughput</h2>
<noscript><p>The charts and the timeline need JavaScript; the summary, anomalies, fault coverage and logs above and below do not.</p></noscript>
<div class="legend" id="fault-legend"></div>
<h3>Latency of every op</h3><div class="chart" id="chart-latency"></div><div class="legend" id="latency-legend"></div>
<h3>Latency quantiles (ok ops)</h3><div class="chart" id="chart-quantiles"></div>
<h3>Throughput</h3><div class="chart" id="chart-throughput"></div>
</section>
<section id="timeline"><h2>Timeline</h2>
<div class="tl-controls"><button type="button" data-zoom="in">zoom in</button> <button type="button" data-zoom="out">zoom out</button> <button type="button" data-jump="anomaly">next anomaly op</button> <span id="tl-range"></span></div>
<div class="tl-head" id="tl-head"></div>
<div class="tl-wrap"><div class="tl-scroll" id="tl-scroll" tabindex="0"><div id="tl-space"></div></div><canvas id="tl-canvas"></canvas></div>
<div id="op-detail" class="op-detail"><p>Click an op in the timeline, or an op link in an anomaly, to see its invocation and completion.</p></div>
</section>
${coverageSection(coverage)}
${logsSection(opts.logs ?? [])}
<section id="raw"><h2>Checker results</h2>${Object.entries(checkers)
    .map(([name, r]) => `<details><summary>${esc(name)}</summary><pre>${esc(JSON.stringify(r, null, 2).slice(0, 200_000))}</pre></details>`)
    .join('')}</section>
</main>
<script type="application/json" id="fl-data">${jsonForScript(data)}</script>
<script>${scriptForHtml(a.uplotJs)}</script>
<script>${scriptForHtml(a.js)}</script>
${wholeTable ? `<script type="application/octet-stream" id="fl-table">${wholeTable}</script>\n<script>window.faultlineReport.tableParsed();</script>\n` : ''}<script type="application/octet-stream" id="fl-values">${details.values}</script>
<script type="application/octet-stream" id="fl-extras">${details.extras}</script>
<script type="application/octet-stream" id="fl-nodes">${details.node}</script>
<script type="application/octet-stream" id="fl-pairs">${pairDetail}</script>
</body></html>
`;
}

/** Writes <runDir>/report.html for a run (node logs under <runDir>/nodes/ are linked). */
export function writeHtmlReport(runDir: string, run: RunData | RunAnalysis): string {
  const path = join(runDir, 'report.html');
  const an = 'table' in run ? run : analyzeRun(run);
  writeFileSync(path, renderHtmlReport(an, { logs: listNodeLogs(runDir) }));
  return path;
}
