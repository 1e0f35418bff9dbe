/**
 * The shared pipeline of the transactional checkers: parse, infer (workload-specific), add
 * process or realtime edges as the requested models need, search cycles, and assemble the
 * result: `valid`, `anomalyTypes`, `anomalies` (Elle's type names and case fields), `not` /
 * `alsoNot` (models ruled out) and `possible` (strongest models not ruled out).
 */
import type { History } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import type { Analysis } from './analysis.ts';
import { CYCLE_TYPES, searchCycles } from './cycles.ts';
import { describeCycle } from './explain.ts';
import { connectedVertexCount, toCsr } from './graph.ts';
import {
  UNKNOWN_ANOMALY_TYPES,
  anomaliesToImpossibleModels,
  boundary,
  canonicalModel,
  prohibitedAnomalyTypes,
  strongestPossibleModels,
} from './model.ts';
import { addProcessEdges, addRealtimeEdges } from './order-edges.ts';
import { parseTxns, type TxnTable, type TxnWorkload } from './txns.ts';

export interface ElleOptions {
  /** Models the history must satisfy; default ['strict-serializable']. */
  consistencyModels?: readonly string[];
  /** Further anomalies to treat as failures (Elle names, e.g. 'G1c'). */
  anomalies?: readonly string[];
  budget?: {
    /** Edge visits the typed cycle search may spend before answering `unknown` (default 50 million). */
    edgeVisits?: number;
  };
  /** Cases kept per anomaly type in the result (default 1000); `anomalyCounts` has the totals. */
  maxCasesPerType?: number;
}

const DEFAULT_EDGE_VISITS = 50_000_000;
const DEFAULT_MAX_CASES = 1000;

function extraGraph(reportable: ReadonlySet<string>): 'process' | 'realtime' | '' {
  if (CYCLE_TYPES.some((t) => t.endsWith('-realtime') && reportable.has(t))) return 'realtime';
  if (CYCLE_TYPES.some((t) => t.endsWith('-process') && reportable.has(t))) return 'process';
  return '';
}

export function runElle(
  history: History,
  workload: TxnWorkload,
  infer: (tt: TxnTable) => Analysis,
  opts: ElleOptions,
): CheckResult {
  const models = opts.consistencyModels ?? ['strict-serializable'];
  const prohibited = prohibitedAnomalyTypes(models, opts.anomalies ?? []);
  const reportable = new Set([...prohibited, ...UNKNOWN_ANOMALY_TYPES]);
  const extra = extraGraph(reportable);

  const tt = parseTxns(history, workload);
  const an = infer(tt);
  if (an.contract) {
    return { valid: 'unknown', error: an.contract.message, inputContract: an.contract };
  }
  if (extra === 'process') addProcessEdges(tt, an.edges);
  if (extra === 'realtime') addRealtimeEdges(tt, an.edges);
  const g = toCsr(tt.n, an.edges);

  const found = new Map<string, unknown[]>(an.anomalies);
  if (connectedVertexCount(g) === 0) found.set('empty-transaction-graph', [true]);
  const search = searchCycles(g, extra, {
    dataPriority: an.dataPriority,
    budget: opts.budget?.edgeVisits ?? DEFAULT_EDGE_VISITS,
  });
  const opIndex = (t: number): number => tt.history[tt.completion[t]!]!.index;
  for (const [type, cases] of search.other) {
    found.set(
      type,
      cases.map((c) => (Array.isArray(c.scc) ? { ...c, scc: (c.scc as number[]).map(opIndex).sort((a, b) => a - b) } : c)),
    );
  }
  for (const c of search.cycles) {
    const list = found.get(c.type) ?? [];
    list.push(describeCycle(an, g, c.type, c.txns));
    found.set(c.type, list);
  }
  return resultMap(found, prohibited, reportable, opts.maxCasesPerType ?? DEFAULT_MAX_CASES, {
    txns: tt.n,
    edges: g.dst.length,
    searchEdgeVisits: search.work,
  });
}

function resultMap(
  found: Map<string, unknown[]>,
  prohibited: ReadonlySet<string>,
  reportableTypes: ReadonlySet<string>,
  maxCases: number,
  stats: Record<string, number>,
): CheckResult {
  const reportable = new Map([...found].filter(([t]) => reportableTypes.has(t)));
  // A cycle-exists case adds nothing when a concrete anomaly already rules its model out.
  const concrete = [...reportable.keys()].filter((t) => !t.endsWith('-cycle-exists'));
  const ruledOut = anomaliesToImpossibleModels(concrete);
  for (const t of [...reportable.keys()]) {
    if (t.endsWith('-cycle-exists') && ruledOut.has(canonicalModel(t.slice(0, -'-cycle-exists'.length)))) reportable.delete(t);
  }
  const all = [...found.keys()];
  const { not, alsoNot } = boundary(all);
  const base = { not, alsoNot, possible: strongestPossibleModels(all), stats };
  if (reportable.size === 0) return { valid: true, ...base };
  const anomalyTypes = [...reportable.keys()].sort();
  const anomalies: Record<string, unknown[]> = {};
  const anomalyCounts: Record<string, number> = {};
  for (const t of anomalyTypes) {
    const cases = reportable.get(t)!;
    anomalies[t] = cases.slice(0, maxCases);
    anomalyCounts[t] = cases.length;
  }
  const bad = anomalyTypes.some((t) => prohibited.has(t));
  return { valid: bad ? false : 'unknown', anomalyTypes, anomalies, anomalyCounts, ...base };
}
