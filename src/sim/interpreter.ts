/**
 * The interpreter of `faultline sim`: runs a test's generator (the same one a real run builds)
 * against simulated clients and Faultline's nemeses in simulated time, recording every
 * invocation and completion as the runner's interpreter records them (src/runner/interpreter.ts:
 * client thread t talks to node t mod n; after an `info` a thread continues as process +
 * concurrency; op timeouts end ops `info`). Time advances by running the simulator's events, so
 * an op due in ten simulated seconds costs no waiting.
 *
 * A nemesis op's promise chain runs to its end before anything else when it only touches the
 * simulated cluster (a partition, a kill: the op completes at the simulated instant it is issued).
 * One that waits on the nodes (a membership change, a shard move: an operator command whose answer
 * comes in a simulated event) stays in flight while the simulation goes on, clients included, and
 * completes at the simulated time its answer came, as it would in a real run.
 */
import type { ClientOp, Completion } from '../core/client.ts';
import type { RunContext } from '../core/context.ts';
import type { GenTest, Generator, Invocation, Thread } from '../core/generator.ts';
import type { Nemesis } from '../core/nemesis.ts';
import type { Op } from '../core/op.ts';
import { ThreadTable } from '../generator/context.ts';
import { makeRng } from '../generator/rng.ts';
import type { Simulator } from './simulator.ts';

const NS_PER_MS = 1e6;
/** How often a pending generator with nothing in flight and no wake-up time is asked again. */
const IDLE_POLL_NS = 10e6;

export interface SimInterpreterOptions<Req, Rep> {
  sim: Simulator<Req, Rep>;
  concurrency: number;
  generator: Generator;
  /** What generators may read (the test's info). */
  test: GenTest;
  /** Seeds the generators' ctx.rng, as the runner's interpreter does. */
  seed: number;
  /** Performs a client op on a node; must call `done` exactly once, in simulated time. */
  invoke(node: string, op: ClientOp, done: (c: Completion) => void): void;
  nemesis: Nemesis | null;
  /** What the nemesis is invoked with: the simulated cluster and DB. */
  context: RunContext;
  /** Simulated ms after which no new op starts (a guard against generators that never end). */
  limitMs: number;
}

export interface SimInterpreterResult {
  history: Op[];
  /** Whether the run hit `limitMs` before the generator was done. */
  cutShort: boolean;
}

function describeError(e: unknown): unknown {
  return e instanceof Error ? e.message : e;
}

function isCompletion(c: unknown): c is Completion {
  if (typeof c !== 'object' || c === null) return false;
  const t = (c as Completion).type;
  return t === 'ok' || t === 'fail' || t === 'info';
}

/** Nemesis ops in the simulator are never aborted (those that wait on the nodes end by their own timeouts). */
const NEVER_ABORTED = new AbortController().signal;

/** Lets promise chains started by simulated actions settle before the simulation goes on. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runSimInterpreter<Req, Rep>(o: SimInterpreterOptions<Req, Rep>): Promise<SimInterpreterResult> {
  const { sim, test } = o;
  const nodes = sim.nodeIds;
  const table = new ThreadTable(o.concurrency);
  const rng = makeRng(o.seed);
  const history: Op[] = [];
  let gen = o.generator;
  let timeNs = 0;
  let inFlight = 0;
  let completed = false;
  let exhausted = false;
  let cutShort = false;

  const ctx = () => table.context(timeNs, rng);

  const complete = (thread: Thread, inv: Op, c: Completion): void => {
    inFlight--;
    table.release(thread, c.type === 'info');
    const op: Op = { index: history.length, time: timeNs, process: inv.process, type: c.type, f: inv.f, value: c.value === undefined ? inv.value : c.value };
    if (inv['phase'] !== undefined) op['phase'] = inv['phase'];
    if (inv.node !== undefined) op.node = inv.node;
    if (c.error !== undefined) op.error = describeError(c.error);
    history.push(op);
    gen = gen.update(test, ctx(), op);
    completed = true;
  };

  const invokeNemesis = async (op: Op): Promise<Completion> => {
    if (o.nemesis === null) return { type: 'fail', error: 'no nemesis' };
    try {
      const c: unknown = await o.nemesis.invoke(o.context, { f: op.f, value: op.value }, { signal: NEVER_ABORTED });
      return isCompletion(c) ? c : { type: 'info', error: `invalid completion ${JSON.stringify(c)} (expected {type: "ok" | "fail" | "info"})` };
    } catch (e) {
      return { type: 'info', error: describeError(e) };
    }
  };

  /** Dispatches an invocation; a nemesis op returns the promise of its completion (recorded when it settles). */
  const dispatch = (inv: Invocation, next: Generator): Promise<void> | undefined => {
    const thread = table.dispatchThread(inv.process, inv.f);
    table.acquire(thread);
    const node = thread === 'nemesis' ? undefined : nodes[thread % nodes.length]!;
    const op: Op = { index: history.length, time: timeNs, process: inv.process, type: 'invoke', f: inv.f, value: inv.value };
    if (inv.phase !== undefined) op['phase'] = inv.phase;
    if (node !== undefined) op.node = node;
    history.push(op);
    inFlight++;
    gen = next.update(test, ctx(), op);
    if (node === undefined) return invokeNemesis(op).then((c) => complete(thread, op, c));
    o.invoke(node, { process: inv.process as number, f: inv.f, value: inv.value }, (c) => complete(thread, op, c));
    return undefined;
  };

  /**
   * Runs simulated events up to `untilNs`, returning early once an op completed, or once an
   * event ran that started promise chains (true: let them settle before going on).
   */
  const advance = (untilNs: number): boolean => {
    completed = false;
    const untilMs = untilNs / NS_PER_MS;
    while (!completed) {
      const at = sim.nextEventAt();
      if (at > untilMs) {
        if (untilNs === Infinity) throw new Error(`simulation stalled at ${sim.time} ms: ops in flight but nothing scheduled`);
        sim.runUntil(untilMs);
        timeNs = Math.max(timeNs, untilNs);
        return false;
      }
      timeNs = Math.max(timeNs, Math.round(at * NS_PER_MS));
      sim.step();
      if (sim.takeAsyncRan()) return true;
    }
    return false;
  };

  for (;;) {
    if (!exhausted && sim.time > o.limitMs) {
      exhausted = true;
      cutShort = true;
    }
    let until: number | undefined;
    if (!exhausted && table.busyCount < table.allThreads.length) {
      const r = gen.op(test, ctx());
      if (r === null) {
        exhausted = true;
        continue;
      }
      if (r.op === 'pending') {
        gen = r.gen;
        until = r.wakeAt ?? (inFlight === 0 ? timeNs + IDLE_POLL_NS : Infinity);
      } else if (r.op.time > timeNs) {
        until = r.op.time;
      } else {
        if (dispatch(r.op, r.gen)) await settle();
        continue;
      }
    } else if (inFlight === 0) {
      break;
    } else {
      until = Infinity;
    }
    if (advance(until)) await settle();
  }
  return { history, cutShort };
}
