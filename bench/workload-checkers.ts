/**
 * Times each workload checker on a synthetic history of about 1,000,000 ops (invocations and
 * completions), simulated against the correct in-process store of its workload with some
 * indeterminate ops. Prints one line per checker: history size, generation time, check time
 * (wall and CPU, best of `--runs`, default 2), heap in use afterwards and verdict. CPU time
 * (user + system, the collector's threads included) is steadier than wall time on a busy
 * machine. Each checker runs in a fresh process so one history's garbage does not slow the next.
 *   npx tsx bench/workload-checkers.ts [--events 1000000] [--runs 2] [--only name,name]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Checker } from '../src/core/checker.ts';
import type { OpTemplate, Rng } from '../src/core/generator.ts';
import type { History, Op } from '../src/core/op.ts';
import { runClients } from '../src/inprocess/client-histories.ts';
import type { InProcessStore } from '../src/inprocess/model-node.ts';
import { bankStore } from '../src/inprocess/bank-store.ts';
import { counterStore } from '../src/inprocess/counter-store.ts';
import { keyedSetStore } from '../src/inprocess/keyed-set-store.ts';
import { longForkStore } from '../src/inprocess/long-fork-store.ts';
import { queueStore } from '../src/inprocess/queue-store.ts';
import { registerStore } from '../src/inprocess/register-store.ts';
import { setStore } from '../src/inprocess/set-store.ts';
import { uniqueIdsStore } from '../src/inprocess/unique-ids-store.ts';
import { availability } from '../checkers/availability/availability.ts';
import { bank } from '../checkers/bank/bank.ts';
import { causalReverse } from '../checkers/causal/causal-reverse.ts';
import { counter } from '../checkers/counter/counter.ts';
import { longFork } from '../checkers/long-fork/long-fork.ts';
import { queue } from '../checkers/queue/queue.ts';
import { sessionGuarantees } from '../checkers/session/session-guarantees.ts';
import { setFull } from '../checkers/set/set-full.ts';
import { staleReads } from '../checkers/stale-reads/stale-reads.ts';
import { uniqueIds } from '../checkers/unique-ids/unique-ids.ts';
import { bankOp, DEFAULT_ACCOUNTS } from '../workloads/bank/index.ts';
import { causalOp } from '../workloads/causal/index.ts';
import { counterOp } from '../workloads/counter/index.ts';
import { longForkOp } from '../workloads/long-fork/index.ts';
import { queueFinalOps, queueOp, queueRetry } from '../workloads/queue/index.ts';
import { registerOp } from '../workloads/register/index.ts';
import { sessionOp } from '../workloads/session/index.ts';
import { setOp } from '../workloads/set/index.ts';
import { uniqueIdsOp } from '../workloads/unique-ids/index.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '2' }, only: { type: 'string' } } });
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const ONLY = values.only?.split(',');
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

interface Case {
  name: string;
  checker: Checker;
  store: () => InProcessStore;
  nextOp: (rng: Rng, n: number) => OpTemplate | null;
  retry?: (op: Op) => OpTemplate | null;
  final?: readonly OpTemplate[];
  /** Adds nemesis start/stop pairs (for availability). */
  withFaults?: boolean;
}

/** Inserts a start-partition / stop-partition pair (each invoke + ok) every `every` ops. */
function addFaults(h: History, every: number): Op[] {
  const out: Op[] = [];
  let on = false;
  for (const op of h) {
    if (out.length % every === 0) {
      const f = on ? 'stop-partition' : 'start-partition';
      on = !on;
      for (const type of ['invoke', 'ok'] as const) out.push({ index: out.length, time: op.time, process: 'nemesis', type, f, value: null });
    }
    out.push({ ...op, index: out.length });
  }
  return out;
}

const cases: Case[] = [
  { name: 'set-full', checker: setFull(), store: () => setStore(), nextOp: (rng, n) => setOp(rng, n, { keys: 2000 }) },
  { name: 'counter', checker: counter(), store: () => counterStore(), nextOp: (rng) => counterOp(rng, { pn: true }) },
  { name: 'bank', checker: bank({ accounts: DEFAULT_ACCOUNTS, total: 50 }), store: () => bankStore(DEFAULT_ACCOUNTS, 10), nextOp: (rng) => bankOp(rng) },
  {
    name: 'queue',
    checker: queue({ delivery: 'exactly-once' }),
    store: () => queueStore({ dedupe: true }),
    nextOp: (rng, n) => queueOp(rng, n, { idempotencyKeys: true }),
    retry: (op) => queueRetry(op),
    final: queueFinalOps,
  },
  { name: 'unique-ids', checker: uniqueIds(), store: () => uniqueIdsStore(), nextOp: () => uniqueIdsOp() },
  { name: 'session', checker: sessionGuarantees(), store: () => keyedSetStore(), nextOp: (rng, n) => sessionOp(rng, n) },
  { name: 'causal-reverse', checker: causalReverse(), store: () => keyedSetStore(), nextOp: (rng, n) => causalOp(rng, n) },
  { name: 'long-fork', checker: longFork(), store: () => longForkStore(), nextOp: (rng, n) => longForkOp(rng, n, { groupSize: 5 }) },
  { name: 'stale-reads', checker: staleReads(), store: () => registerStore(), nextOp: (rng, n) => registerOp(rng, n, { keys: 1000 }) },
  { name: 'availability', checker: availability(), store: () => counterStore(), nextOp: (rng) => counterOp(rng), withFaults: true },
];

async function runCase(c: Case): Promise<void> {
  const genStart = performance.now();
  let history: History = runClients({
    seed: 42,
    store: c.store(),
    threads: 10,
    nodes: NODES,
    switchNodeRate: 0.1,
    infoRate: 0.01,
    ops: Math.floor(EVENTS / 2),
    nextOp: c.nextOp,
    ...(c.retry ? { retry: c.retry } : {}),
    ...(c.final ? { final: c.final } : {}),
  });
  if (c.withFaults) history = addFaults(history, 10_000);
  const genMs = performance.now() - genStart;
  let best = Infinity;
  let bestCpu = Infinity;
  let valid: unknown;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    const r = await c.checker.check(history, {});
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, performance.now() - t);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    valid = r.valid;
  }
  const heapMb = process.memoryUsage().heapUsed / 1e6;
  console.log(`${c.name.padEnd(16)} ${String(history.length).padStart(9)} ${genMs.toFixed(0).padStart(8)} ${best.toFixed(0).padStart(9)} ${bestCpu.toFixed(0).padStart(8)} ${heapMb.toFixed(0).padStart(8)}  ${String(valid)}`);
}

if (ONLY?.length === 1) {
  const c = cases.find((x) => x.name === ONLY[0]);
  if (!c) throw new Error(`no checker ${ONLY[0]}; known: ${cases.map((x) => x.name).join(', ')}`);
  await runCase(c);
} else {
  console.log(`${'checker'.padEnd(16)} ${'ops'.padStart(9)} ${'gen ms'.padStart(8)} ${'check ms'.padStart(9)} ${'cpu ms'.padStart(8)} ${'heap MB'.padStart(8)}  valid`);
  for (const c of cases) {
    if (ONLY && !ONLY.includes(c.name)) continue;
    const argv = [...process.execArgv, process.argv[1]!, '--events', String(EVENTS), '--runs', String(RUNS), '--only', c.name];
    process.stdout.write(execFileSync(process.execPath, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  }
}
