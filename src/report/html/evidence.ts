/**
 * A tolerant reading of checker evidence into anomaly cases the report can draw. Checkers put
 * their evidence in different shapes (Elle-style `anomalies: {G1c: [{cycle, steps}]}`, lists
 * such as `errors: [{kind, index}]` or `lost: [...]`, Knossos-style counterexamples with
 * `op`, `previousOk` and `finalPaths`); absent or unexpected fields are skipped, never fatal.
 * Checkers with evidence of their own shape are read by checker-cases.ts; counts come from
 * ../counts.ts for every checker.
 */
import type { CheckResult, Validity } from '../../core/validity.ts';
import { anomalyCounts } from '../counts.ts';
import { checkerCases } from './checker-cases.ts';
import { showValue } from './escape.ts';
import { isRecord } from './run-data.ts';

export interface CycleStep {
  /** ww, wr, rw, process, realtime, ... */
  type: string;
  /** A short edge label (type, key, values). */
  label: string;
  /** The step's own explanation, when the checker gave one. */
  text: string | undefined;
}

export interface CycleEvidence {
  /** History indexes of the transactions in cycle order (the closing repeat removed). */
  txns: number[];
  /** steps[i] goes from txns[i] to txns[(i + 1) % n]. */
  steps: CycleStep[];
}

export interface LinearPath {
  /** History indexes of the ops, in linearization order. */
  ops: number[];
  /** Model state after each op, when given. */
  states: string[];
  /** Why the path cannot continue (e.g. "can't read 3 from register 4"). */
  illegal: string | undefined;
}

export interface LinearEvidence {
  /** The op that could not be linearized. */
  failing: number | undefined;
  /** The last ok op that was linearized. */
  previousOk: number | undefined;
  paths: LinearPath[];
  /** Every op the counterexample involves. */
  ops: number[];
}

export interface AnomalyCase {
  type: string;
  /** Plain-language lines: the checker's own explanation, or the case's facts. */
  explanation: string[];
  /** History indexes of the ops involved, in the order they were found. */
  ops: number[];
  /** The ops with what each is in the case ("stale read", "first write it missed"), in the order to show them; empty when unknown. */
  roles: Array<[number, string]>;
  /** A client session whose ops from `from` to `to` (event indexes) show the case. */
  session: { process: unknown; from: number; to: number } | undefined;
  /** Scalar facts of the case (key, shown value). */
  facts: Array<[string, string]>;
  cycle: CycleEvidence | undefined;
  linear: LinearEvidence | undefined;
}

/** A summary table of a checker's evidence (a distribution, counts by kind). */
export interface EvidenceTable {
  caption: string;
  head: string[];
  rows: string[][];
  /** Draw the last column (a count) as bars too: a histogram. */
  bars?: boolean;
}

export interface CheckerEvidence {
  checker: string;
  valid: Validity;
  anomalyTypes: string[];
  /** Cases per anomaly type, from anomalyCounts (../counts.ts): everything the checker found, not only the cases shown. */
  counts: Record<string, number>;
  cases: AnomalyCase[];
  tables: EvidenceTable[];
  error: string | undefined;
  /** Consistency models ruled out (weakest first) and the stronger ones also ruled out. */
  not: string[];
  alsoNot: string[];
  /** Models the history may still satisfy, when the checker says. */
  possible: string[];
  informational: boolean;
}

type Rec = Record<string, unknown>;

const isRec = isRecord;
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function pick(r: Rec, ...keys: string[]): unknown {
  for (const k of keys) if (r[k] !== undefined) return r[k];
  return undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x) => typeof x === 'string' || typeof x === 'number').map(String) : [];
}

function looksLikeOp(v: Rec): boolean {
  return isIndex(v['index']) && ('type' in v || 'process' in v || 'f' in v);
}

/** An op reference: an op object's index or a bare index. */
function opIndexOf(v: unknown): number | undefined {
  if (isIndex(v)) return v;
  if (isRec(v) && isIndex(v['index'])) return v['index'];
  return undefined;
}

const OP_KEYS = new Set(['op', 'ops', 'op-index', 'previousOk', 'previous-ok', 'lastOp', 'last-op', 'cycle', 'invoke', 'completion', 'write', 'read', 'txn', 'txns', 'index', 'indexes', 'indices', 'opIndexes']);

/** History indexes referenced anywhere in a case: op objects, `index` and `...Index` fields (not mop positions). */
export function collectOpIndexes(value: unknown, limit: number): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  const add = (i: number): void => {
    if (i < limit && !seen.has(i)) {
      seen.add(i);
      out.push(i);
    }
  };
  const walk = (v: unknown, key: string, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (isIndex(x) && (OP_KEYS.has(key) || /Index(es)?$|-index$|-indexes$/.test(key)) && !/mop/i.test(key)) add(x);
        else walk(x, key, depth + 1);
      }
      return;
    }
    if (isIndex(v)) {
      if (/mop/i.test(key)) return;
      if (key === 'index' || key === 'op' || key === 'op-index' || key === 'previousOk' || key === 'previous-ok' || /Index$|-index$/.test(key)) add(v);
      return;
    }
    if (!isRec(v)) return;
    if (looksLikeOp(v)) add(v['index'] as number);
    for (const [k, x] of Object.entries(v)) {
      if (k === 'index' && looksLikeOp(v)) continue;
      walk(x, k, depth + 1);
    }
  };
  walk(value, '', 0);
  return out;
}

function explanationOf(c: Rec): string[] {
  for (const k of ['explanation', 'message', 'reason', 'description', 'text']) {
    const v = c[k];
    if (typeof v === 'string' && v.trim()) return v.split('\n').filter((l) => l.trim() !== '');
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  }
  return [];
}

const show = (v: unknown): string => showValue(v, 160);

function factsOf(c: Rec): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(c)) {
    if (['explanation', 'message', 'reason', 'description', 'text', 'type', 'kind'].includes(k)) continue;
    const scalar = v === null || ['string', 'number', 'boolean'].includes(typeof v);
    const shortList = Array.isArray(v) && v.length <= 8 && v.every((x) => x === null || typeof x !== 'object');
    if (scalar || shortList) facts.push([k, show(v)]);
  }
  return facts;
}

function stepLabel(s: Rec): string {
  const type = String(s['type'] ?? '?');
  const key = s['key'];
  const value = s['value'];
  const value2 = pick(s, "value'", 'value2', 'nextValue');
  let label = type;
  if (key !== undefined) label += ` ${show(key)}`;
  if (value !== undefined && type !== 'process' && type !== 'realtime') label += ` ${show(value)}`;
  if (value2 !== undefined) label += `→${show(value2)}`;
  if (type === 'process' && s['process'] !== undefined) label += ` p${show(s['process'])}`;
  return label;
}

function cycleOf(c: Rec): CycleEvidence | undefined {
  const cycle = c['cycle'];
  if (!Array.isArray(cycle) || cycle.length < 2) return undefined;
  const txns = cycle.map(opIndexOf);
  if (txns.some((t) => t === undefined)) return undefined;
  const ids = txns as number[];
  if (ids.length > 1 && ids[0] === ids[ids.length - 1]) ids.pop();
  const rawSteps = Array.isArray(c['steps']) ? c['steps'] : [];
  const graph = isRec(c['graph']) && Array.isArray(c['graph']['edges']) ? c['graph']['edges'] : [];
  const steps: CycleStep[] = ids.map((_, i) => {
    const s = rawSteps[i];
    const edge = graph[i];
    const text = isRec(s) && typeof s['explanation'] === 'string' ? s['explanation'] : isRec(edge) && typeof edge['explanation'] === 'string' ? edge['explanation'] : undefined;
    if (isRec(s)) return { type: String(s['type'] ?? '?'), label: stepLabel(s), text };
    return { type: '?', label: '?', text: undefined };
  });
  return { txns: ids, steps };
}

/** A partial linearization: Knossos-style `[{op, model}]` steps, a list of op indexes, or `{ops: [{index, state}], blocked, candidates}`. */
function pathOf(raw: unknown): LinearPath | undefined {
  if (isRec(raw) && Array.isArray(raw['ops'])) {
    const path = pathOf(raw['ops']);
    const blocked = opIndexOf(raw['blocked']);
    if (!path || blocked === undefined) return path;
    const candidates = Array.isArray(raw['candidates']) ? raw['candidates'].filter(isRec) : [];
    const reason = candidates.find((c) => c['index'] === blocked)?.['reason'];
    return { ops: [...path.ops, blocked], states: path.states, illegal: typeof reason === 'string' ? reason : `op ${blocked} cannot be linearized here` };
  }
  if (!Array.isArray(raw)) return undefined;
  const ops: number[] = [];
  const states: string[] = [];
  let illegal: string | undefined;
  for (const step of raw) {
    const i = opIndexOf(isRec(step) && 'op' in step ? step['op'] : step);
    if (i === undefined) continue;
    ops.push(i);
    if (isRec(step)) {
      const model = pick(step, 'model', 'state', 'stateDescription');
      const msg = isRec(model) ? pick(model, 'msg', 'message', 'error') : undefined;
      const stepMsg = pick(step, 'illegal', 'error', 'message', 'msg');
      if (typeof msg === 'string' || typeof stepMsg === 'string') illegal = String(msg ?? stepMsg);
      states.push(model === undefined ? '' : typeof model === 'string' ? model : show(model));
    }
  }
  return ops.length ? { ops, states, illegal } : undefined;
}

const LINEAR_KEYS = ['partials', 'window', 'finalPaths', 'final-paths', 'paths', 'partialLinearizations', 'partial-linearizations', 'linearizations', 'previousOk', 'previous-ok', 'configs'];

function linearOf(c: Rec, limit: number): LinearEvidence | undefined {
  const inner = isRec(c['counterexample']) ? c['counterexample'] : c;
  if (!LINEAR_KEYS.some((k) => inner[k] !== undefined)) return undefined;
  const rawPaths = pick(inner, 'partials', 'finalPaths', 'final-paths', 'paths', 'partialLinearizations', 'partial-linearizations', 'linearizations');
  const paths = (Array.isArray(rawPaths) ? rawPaths : []).map(pathOf).filter((p): p is LinearPath => p !== undefined).slice(0, 12);
  const failing = opIndexOf(pick(inner, 'op', 'failing', 'failingOp', 'lastOp', 'last-op'));
  const previousOk = opIndexOf(pick(inner, 'previousOk', 'previous-ok'));
  const ops = collectOpIndexes(inner, limit).filter((i) => i < limit);
  return { failing: failing !== undefined && failing < limit ? failing : undefined, previousOk: previousOk !== undefined && previousOk < limit ? previousOk : undefined, paths, ops };
}

function toCase(type: string, raw: unknown, limit: number): AnomalyCase {
  if (!isRec(raw)) {
    const ops = collectOpIndexes(raw, limit);
    return { type, explanation: [show(raw)], ops, roles: [], session: undefined, facts: [], cycle: undefined, linear: undefined };
  }
  const t = typeof raw['type'] === 'string' ? raw['type'] : typeof raw['kind'] === 'string' ? raw['kind'] : type;
  return {
    type: t,
    explanation: explanationOf(raw),
    ops: collectOpIndexes(raw, limit),
    roles: [],
    session: undefined,
    facts: factsOf(raw),
    cycle: cycleOf(raw),
    linear: linearOf(raw, limit),
  };
}

/** The cases a checker result holds, grouped as the checker grouped them. */
function rawCases(r: CheckResult): Array<[string, unknown[]]> {
  const groups: Array<[string, unknown[]]> = [];
  const anomalies = r.anomalies;
  if (isRec(anomalies)) {
    for (const [type, list] of Object.entries(anomalies)) groups.push([type, Array.isArray(list) ? list : [list]]);
  }
  const types = r.anomalyTypes ?? [];
  if (Array.isArray(anomalies)) groups.push([types.length === 1 ? types[0]! : 'anomaly', anomalies]);
  for (const type of types) {
    const list = r[type];
    if (Array.isArray(list) && list.length > 0 && !(isRec(anomalies) && type in anomalies)) groups.push([type, list]);
  }
  if (Array.isArray(r['errors']) && r.valid === false && r['errors'].every(isRec)) groups.push(['error', r['errors']]);
  if (groups.length === 0 && r.valid === false) {
    const parts = pick(r, 'partitions', 'keys');
    const failing = Array.isArray(parts) ? parts.filter((p) => isRec(p) && p['valid'] === false) : [];
    if (failing.length > 0) groups.push([types[0] ?? 'counterexample', failing]);
    else if (linearOf(r, Number.MAX_SAFE_INTEGER)) groups.push([types[0] ?? 'counterexample', [r]]);
  }
  return groups;
}

/** Reads one checker's result; `historyLength` bounds the op indexes accepted as references. */
export function readEvidence(checker: string, r: CheckResult, historyLength: number, maxCasesPerType = 20): CheckerEvidence {
  const own = checkerCases(checker, r, historyLength, maxCasesPerType);
  const cases: AnomalyCase[] = own?.cases ?? [];
  if (!own) for (const [type, list] of rawCases(r)) for (const c of list.slice(0, maxCasesPerType)) cases.push(toCase(type, c, historyLength));
  const possible = stringList(pick(r, 'possible', 'possibleModels', 'strongestPossible', 'strongestPossibleModels', 'satisfies'));
  return {
    checker,
    valid: r.valid,
    anomalyTypes: stringList(r.anomalyTypes),
    counts: anomalyCounts(r),
    cases,
    tables: own?.tables ?? [],
    error: typeof r.error === 'string' ? r.error : undefined,
    not: stringList(r['not']),
    alsoNot: stringList(pick(r, 'alsoNot', 'also-not')),
    possible,
    informational: r['informational'] === true,
  };
}
