/**
 * Run directories for report tests and benchmarks: a simulated register workload on a
 * linearizable (or, on request, stale-reading) store with partition and kill faults, and a
 * list-append history with a G1c cycle. Results come from the real checkers.
 */
import { makeRng } from '../../src/generator/rng.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Checker } from '../../src/core/checker.ts';
import type { Op } from '../../src/core/op.ts';
import { compose } from '../../checkers/compose.ts';
import { perf } from '../../checkers/perf.ts';
import { stats } from '../../checkers/stats.ts';
import { linearizable } from '../../checkers/linearizable/index.ts';
import { listAppend } from '../../checkers/elle/index.ts';

/** A small deterministic PRNG. */
export function prng(seed: number): () => number {
  const rng = makeRng(seed);
  return () => rng.next();
}

export interface RegisterHistoryOptions {
  /** Client ops (each is an invoke and a completion). */
  ops: number;
  concurrency: number;
  seed: number;
  /** Make one late read return a long-overwritten value. */
  staleRead?: boolean;
  /** Milliseconds between fault starts (0: no faults). */
  faultEveryMs?: number;
}

/** An op before it gets its index. */
type Event = Omit<Op, 'index' | 'time'> & { time: number };

interface Pending {
  process: number;
  f: 'read' | 'write';
  value: number | null;
  t0: number;
  t1: number;
  lp: number;
  outcome: 'ok' | 'fail' | 'info';
  node: string;
}

/**
 * Register ops on `concurrency` threads; each takes effect at a random point inside its interval,
 * so reads see the value of the last write linearized before them. Times are nanoseconds.
 */
export function registerHistory(o: RegisterHistoryOptions): Op[] {
  const rnd = prng(o.seed);
  const nodes = ['n1', 'n2', 'n3'];
  const threadFree = new Float64Array(o.concurrency);
  const processOf = Array.from({ length: o.concurrency }, (_, t) => t);
  const ops: Pending[] = [];
  let nextWrite = 1;
  for (let i = 0; i < o.ops; i++) {
    const t = i % o.concurrency;
    const t0 = threadFree[t]! + 50_000 + rnd() * 200_000;
    const latency = 200_000 + rnd() * rnd() * 3_000_000;
    const r = rnd();
    const outcome = r < 0.02 ? 'info' : r < 0.06 ? 'fail' : 'ok';
    const f = rnd() < 0.5 ? 'read' : 'write';
    ops.push({ process: processOf[t]!, f, value: f === 'write' ? nextWrite++ : null, t0, t1: t0 + latency, lp: t0 + rnd() * latency, outcome, node: nodes[t % nodes.length]! });
    threadFree[t] = t0 + latency;
    if (outcome === 'info') processOf[t] = processOf[t]! + o.concurrency;
  }
  // Apply writes in linearization order; reads observe the register at their point.
  const byLp = ops.map((_, i) => i).sort((a, b) => ops[a]!.lp - ops[b]!.lp);
  let reg: number | null = null;
  for (const i of byLp) {
    const op = ops[i]!;
    if (op.f === 'write' && op.outcome !== 'fail') reg = op.value;
    else if (op.f === 'read' && op.outcome === 'ok') op.value = reg;
  }
  if (o.staleRead) {
    // The first acknowledged write's value, long overwritten (an indeterminate write could still
    // take effect late and excuse the read).
    const first = ops.find((op) => op.f === 'write' && op.outcome === 'ok')!.value!;
    const late = ops.findLastIndex((op) => op.f === 'read' && op.outcome === 'ok' && op.value !== null && op.value > first + 5);
    if (late >= 0) ops[late]!.value = first;
  }
  const events: Event[] = [];
  for (const op of ops) {
    events.push({ time: Math.round(op.t0), process: op.process, type: 'invoke', f: op.f, value: op.f === 'write' ? op.value : null, node: op.node });
    const done: Event = { time: Math.round(op.t1), process: op.process, type: op.outcome, f: op.f, value: op.f === 'read' && op.outcome !== 'ok' ? null : op.value, node: op.node };
    if (op.outcome !== 'ok') done.error = op.outcome === 'info' ? 'timeout' : 'not-leader';
    events.push(done);
  }
  const end = Math.max(...threadFree);
  if (o.faultEveryMs && o.faultEveryMs > 0) {
    const kinds = [
      ['partition', { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }],
      ['kill', ['n2']],
    ] as const;
    let k = 0;
    for (let t = o.faultEveryMs * 1e6; t + 10e6 < end; t += o.faultEveryMs * 2e6, k++) {
      const [kind, target] = kinds[k % kinds.length]!;
      const stop = Math.min(end - 1e6, t + o.faultEveryMs * 1e6);
      events.push({ time: t, process: 'nemesis', type: 'invoke', f: `start-${kind}`, value: target });
      events.push({ time: t + 1e6, process: 'nemesis', type: 'info', f: `start-${kind}`, value: target });
      events.push({ time: stop, process: 'nemesis', type: 'invoke', f: `stop-${kind}`, value: null });
      events.push({ time: stop + 1e6, process: 'nemesis', type: 'info', f: `stop-${kind}`, value: null });
    }
  }
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ index, ...e }) as Op);
}

/** A list-append history whose first two transactions form a G1c cycle (wr one way, ww the other). */
export function g1cHistory(): Op[] {
  const ms = 1e6;
  const raw: Event[] = [
    { time: 1 * ms, process: 0, type: 'invoke', f: 'txn', value: [['append', 'x', 1], ['r', 'y', null]] },
    { time: 2 * ms, process: 1, type: 'invoke', f: 'txn', value: [['append', 'x', 2], ['append', 'y', 1]] },
    { time: 5 * ms, process: 1, type: 'ok', f: 'txn', value: [['append', 'x', 2], ['append', 'y', 1]] },
    { time: 6 * ms, process: 0, type: 'ok', f: 'txn', value: [['append', 'x', 1], ['r', 'y', [1]]] },
    { time: 8 * ms, process: 2, type: 'invoke', f: 'txn', value: [['r', 'x', null]] },
    { time: 9 * ms, process: 2, type: 'ok', f: 'txn', value: [['r', 'x', [1, 2]]] },
  ];
  return raw.map((e, index) => ({ index, ...e }) as Op);
}

export interface BuiltRun {
  /** The results directory holding the run: remove it when done. */
  root: string;
  name: string;
  runDir: string;
  history: Op[];
  test: Record<string, unknown>;
  results: Record<string, unknown>;
}

/**
 * Writes test.json, history.jsonl, results.json and a node log into a fresh run directory
 * (under `parent`, a directory made by an earlier buildRunDir, when given; `stamp` names the run).
 */
export async function buildRunDir(name: string, history: Op[], checkers: Checker[], options: Record<string, unknown>, parent?: string, stamp = '20261125T120000.000Z'): Promise<BuiltRun> {
  const root = parent ?? mkdtempSync(join(tmpdir(), ROOT_PREFIX));
  const runDir = join(root, name, stamp);
  mkdirSync(join(runDir, 'nodes', 'n1'), { recursive: true });
  writeFileSync(join(runDir, 'nodes', 'n1', 'db.log'), 'started\nleader elected\n');
  const test = {
    options: { name, db: 'reference:raft', provider: 'local', nodes: ['n1', 'n2', 'n3'], nemesisIntervalS: 1, timeLimitS: 10, rate: 0, seed: 42, ...options },
    seed: 42,
    replay: ['faultline', 'test', '--name', name, '--workload', String(options['workload']), '--seed', '42'],
    startedAt: `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.000Z`,
  };
  writeFileSync(join(runDir, 'test.json'), JSON.stringify(test, null, 2));
  writeFileSync(join(runDir, 'history.jsonl'), history.map((op) => JSON.stringify(op)).join('\n') + '\n');
  const composed = await compose(checkers).check(history, {});
  const results = { ...composed, historyEvents: history.length, tornLastLine: false, runErrors: [] };
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(results, null, 2));
  return { root, name, runDir, history, test, results };
}

const ROOT_PREFIX = 'faultline-report-';

/** Removes a run built by buildRunDir in its own temporary directory (and nothing else). */
export function removeRun(run: BuiltRun): void {
  if (!basename(run.root).startsWith(ROOT_PREFIX)) throw new Error(`refusing to remove ${run.root}: not a directory made by buildRunDir`);
  rmSync(run.root, { recursive: true, force: true });
}

export function registerCheckers(): Checker[] {
  return [linearizable({ model: 'register', threads: 0 }), stats(), perf()];
}

export function listAppendCheckers(): Checker[] {
  return [listAppend({ consistencyModels: ['serializable'] }), stats(), perf()];
}
