/**
 * The results browser's HTML: the run list (filterable with or without JavaScript) with the
 * pass-rate table of like runs (db × workload × nemesis × bug flags × options), one page per
 * run listing its files, and one page per test with its verdicts across runs. The side-by-side
 * comparison of two runs is in compare-page.ts.
 */
import type { Validity } from '../../core/validity.ts';
import { escapeHtml as esc } from '../html/escape.ts';
import { configLabel, type PassRate, type RunEntry } from './runs.ts';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5em 2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.v{font-weight:700;padding:0 .4em;border-radius:3px;color:#fff}.v.valid{background:#2e7d32}.v.invalid{background:#c62828}.v.unknown{background:#ef6c00}.v.none{background:#9e9e9e}
.strip a{display:inline-block;width:9px;height:14px;margin-right:1px;vertical-align:middle}.strip .valid{background:#2e7d32}.strip .invalid{background:#c62828}.strip .unknown{background:#ef6c00}.strip .none{background:#bbb}
form{margin:.5em 0}input,select,button{font:inherit}
tr.differs td{background:#fff4d6}td.worse{color:#b71c1c;font-weight:600}td.better{color:#1b5e20}
svg.schedule text{font:11px system-ui,sans-serif}`;

/** The page head every results-browser page shares. */
export function pageHead(title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>`;
}

export function verdictClass(v: Validity | null): string {
  return v === true ? 'valid' : v === false ? 'invalid' : v === 'unknown' ? 'unknown' : 'none';
}

export function verdictLabel(v: Validity | null): string {
  return v === null ? 'not checked' : verdictClass(v);
}

/** Path segments URL-encoded one by one. */
export function urlPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export interface RunFilter {
  q: string;
  verdict: string;
}

function searchText(r: RunEntry): string {
  return [r.test, r.stamp, r.workload, r.nemesis, r.db, ...r.bugs, ...r.options, verdictLabel(r.valid), ...r.anomalyTypes].join(' ').toLowerCase();
}

function matchesFilter(r: RunEntry, f: RunFilter): boolean {
  if (f.verdict && verdictClass(r.valid) !== f.verdict) return false;
  if (!f.q) return true;
  const hay = searchText(r);
  return f.q.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

/** `2026-11-25 12:00:00` from an ISO time. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** `stale-read 164, nonlinearizable 1`, or the anomaly types when the counts are unknown. */
export function anomaliesText(r: RunEntry): string {
  const counts = Object.entries(r.anomalyCounts);
  return counts.length ? counts.map(([t, n]) => `${t} ${n}`).join(', ') : r.anomalyTypes.join(', ');
}

function runRow(r: RunEntry): string {
  const cls = verdictClass(r.valid);
  return `<tr data-verdict="${cls}" data-search="${esc(searchText(r))}"><td>${esc(shortTime(r.startedAt))}</td><td><a href="/runs/${urlPath(r.path)}/">${esc(r.test)}</a><br><small>${esc(r.stamp)} · <a href="/tests/${encodeURIComponent(r.test)}/">history</a></small></td><td><span class="v ${cls}">${verdictLabel(r.valid)}</span></td><td>${esc(anomaliesText(r))}</td><td class="num">${r.durationS === null ? '' : `${r.durationS.toFixed(1)} s`}</td><td>${esc(configLabel(r))}</td><td>${r.hasReport ? `<a href="/files/${urlPath(r.path)}/report.html">report</a>` : ''}</td></tr>`;
}

/** Verdicts oldest to newest, one coloured cell per run linking to it. */
export function verdictStrip(runs: ReadonlyArray<{ path: string; valid: Validity | null }>): string {
  return runs.map((x) => `<a class="${verdictClass(x.valid)}" href="/runs/${urlPath(x.path)}/" title="${esc(x.path)}: ${verdictLabel(x.valid)}"></a>`).join('');
}

function passRateRow(p: PassRate): string {
  const extra = [...p.bugs.map((b) => `bug ${b}`), ...p.options].join(', ');
  return `<tr><td>${esc(p.db)}</td><td>${esc(p.workload)}</td><td>${esc(p.nemesis)}</td><td>${esc(extra)}</td><td class="num">${p.runs}</td><td class="num">${p.rate === null ? '—' : `${Math.round(p.rate * 100)}%`}</td><td class="num">${p.valid}</td><td class="num">${p.invalid}</td><td class="num">${p.unknown}</td><td class="strip">${verdictStrip(p.recent)}</td></tr>`;
}

const FILTER_SCRIPT = `(function(){var q=document.getElementById('q'),v=document.getElementById('verdict'),rows=document.querySelectorAll('#runs tbody tr'),count=document.getElementById('count');
function apply(){var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;rows.forEach(function(r){var ok=(!v.value||r.dataset.verdict===v.value)&&words.every(function(w){return r.dataset.search.indexOf(w)>=0});r.hidden=!ok;if(ok)n++});count.textContent=n+' runs shown';}
q.addEventListener('input',apply);v.addEventListener('change',apply);apply();})();`;

export function indexPage(root: string, runs: RunEntry[], rates: PassRate[], filter: RunFilter): string {
  const shown = runs.filter((r) => matchesFilter(r, filter));
  const options = ['', 'valid', 'invalid', 'unknown', 'none']
    .map((v) => `<option value="${v}"${filter.verdict === v ? ' selected' : ''}>${v === '' ? 'any verdict' : v === 'none' ? 'not checked' : v}</option>`)
    .join('');
  return `${pageHead('Faultline results')}
<h1>Faultline results</h1><p><small>${esc(root)}</small></p>
<h2>Pass rate of like runs</h2>
<p><small>Runs count together only with the same db, workload, nemesis, bug flags and options that change what is promised or checked.</small></p>
<table id="pass-rates"><thead><tr><th>db</th><th>workload</th><th>nemesis</th><th>bug flags, options</th><th>runs</th><th>pass rate</th><th>valid</th><th>invalid</th><th>unknown</th><th>oldest → newest</th></tr></thead><tbody>${rates.map(passRateRow).join('')}</tbody></table>
<h2>Runs</h2>
<form method="get" action="/"><input id="q" name="q" value="${esc(filter.q)}" placeholder="filter: name, db, workload, anomaly…" size="40"> <select id="verdict" name="verdict">${options}</select> <button type="submit">filter</button> <span id="count">${shown.length} runs shown</span></form>
<table id="runs"><thead><tr><th>started</th><th>test</th><th>verdict</th><th>anomalies</th><th>duration</th><th>what it tests</th><th></th></tr></thead><tbody>${shown.map(runRow).join('')}</tbody></table>
<script>${FILTER_SCRIPT}</script>
</body></html>`;
}

export interface FileItem {
  /** Path relative to the run directory. */
  path: string;
  bytes: number;
}

export function runPage(run: RunEntry | undefined, relDir: string, files: FileItem[]): string {
  const title = run ? `${run.test} ${run.stamp}` : relDir;
  const head = run
    ? `<p><span class="v ${verdictClass(run.valid)}">${verdictLabel(run.valid)}</span> ${esc(anomaliesText(run))} — ${esc(configLabel(run))}${run.durationS === null ? '' : `, ${run.durationS.toFixed(1)} s`}</p>${run.hasReport ? `<p><a href="/files/${urlPath(relDir)}/report.html"><strong>Open the report</strong></a> · <a href="/tests/${encodeURIComponent(run.test)}/">this test's history</a></p>` : ''}`
    : '';
  const rows = files.map((f) => `<tr><td><a href="/files/${urlPath(relDir)}/${urlPath(f.path)}">${esc(f.path)}</a></td><td class="num">${f.bytes}</td></tr>`).join('');
  return `${pageHead(title)}
<p><a href="/">← all runs</a></p><h1>${esc(title)}</h1>${head}
<table id="files"><thead><tr><th>file</th><th>bytes</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}

/**
 * One test's runs, oldest to newest: the verdict strip, each run's verdict, anomaly counts, seed
 * and configuration, and a form to compare two of them (the newest two preselected).
 */
export function testPage(test: string, runs: RunEntry[]): string {
  const oldestFirst = [...runs].reverse();
  const newest = runs[0]?.path;
  const previous = runs[1]?.path ?? newest;
  const rows = runs
    .map((r) => {
      const cls = verdictClass(r.valid);
      const radio = (name: string, checked: boolean): string => `<input type="radio" name="${name}" value="${esc(r.path)}"${checked ? ' checked' : ''} aria-label="${name} = ${esc(r.stamp)}">`;
      return `<tr data-verdict="${cls}"><td>${radio('a', r.path === previous)}</td><td>${radio('b', r.path === newest)}</td><td><a href="/runs/${urlPath(r.path)}/">${esc(shortTime(r.startedAt))}</a></td><td><span class="v ${cls}">${verdictLabel(r.valid)}</span></td><td>${esc(anomaliesText(r))}</td><td class="num">${r.seed ?? ''}</td><td>${esc(configLabel(r))}</td><td class="num">${r.durationS === null ? '' : `${r.durationS.toFixed(1)} s`}</td><td>${r.hasReport ? `<a href="/files/${urlPath(r.path)}/report.html">report</a>` : ''}</td></tr>`;
    })
    .join('');
  const valid = runs.filter((r) => r.valid === true).length;
  const checked = runs.filter((r) => r.valid !== null).length;
  return `${pageHead(`${test}: history`)}
<p><a href="/">← all runs</a></p><h1>${esc(test)}</h1>
<p>${runs.length} runs, ${valid} of ${checked} checked runs valid. Oldest → newest: <span class="strip" id="verdict-strip">${verdictStrip(oldestFirst)}</span></p>
<form method="get" action="/compare"><table id="test-runs"><thead><tr><th>A</th><th>B</th><th>started</th><th>verdict</th><th>anomalies</th><th>seed</th><th>what it tests</th><th>duration</th><th></th></tr></thead><tbody>${rows}</tbody></table>
<button type="submit">compare A with B</button></form></body></html>`;
}
