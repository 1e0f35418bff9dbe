/**
 * A seeded generator of long single-register histories, the shape that makes linearizability
 * checking hard at scale: `processes` clients share one register; each step picks a random
 * client, which invokes a read, a write of a fresh value or a cas (expecting the value it last
 * saw) when idle, or else completes its pending op against the register's current value. Every
 * op takes effect at its completion, so the history is linearizable by construction; written
 * values are unique; a cas whose expected value is gone fails.
 *
 * Options make it harder or wrong on purpose:
 * - `crashRate`: a completing op ends `info` instead (having taken effect or not, at random);
 *   the client goes on as a new process, as the runner does.
 * - `staleReadAt`: the first read invoked once that many ops were invoked returns a value that
 *   was definitely overwritten before the read began (by a cas, or by a write invoked after that
 *   value's write completed): one injected stale read, so the history is not linearizable. Its
 *   completion carries `injected: "stale-read"`.
 *
 *   for (const op of registerHistory({ ops: 1000, processes: 10, seed: 1 })) ...
 *   npx tsx bench/register-history.ts OUT.jsonl OPS [--processes 10] [--seed 1] [--stale-read-at K]
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Op, ProcessId } from '../src/core/op.ts';
import { makeRng } from '../src/generator/rng.ts';

export interface RegisterHistoryOptions {
  /** Invocations to generate. */
  ops: number;
  /** Concurrent clients (default 10). */
  processes?: number;
  seed?: number;
  /** Probability that a completion is `info` (default 0). */
  crashRate?: number;
  /** Inject one stale read into the first read invoked after this many invocations. */
  staleReadAt?: number;
}

interface Pending {
  process: ProcessId;
  invokedAt: number;
  f: 'read' | 'write' | 'cas';
  value: unknown;
  /** For the injected stale read: the overwritten value it returns. */
  stale: number | null;
}

/** The history's events in order: index, time (ns), process, type, f, value. */
export function* registerHistory(opts: RegisterHistoryOptions): Generator<Op> {
  const processes = opts.processes ?? 10;
  const rng = makeRng(opts.seed ?? 1);
  const crashRate = opts.crashRate ?? 0;
  const pending: (Pending | undefined)[] = new Array(processes).fill(undefined);
  const processOf = Array.from({ length: processes }, (_, i) => i);
  let register: number | null = null;
  /** Where the current value's write completed, and the last value overwritten in every linearization. */
  let writtenAt = -1;
  let overwritten: number | null = null;
  let nextValue = 1;
  let invoked = 0;
  let index = 0;
  let staleInjected = opts.staleReadAt === undefined;
  const event = (process: ProcessId, type: Op['type'], f: string, value: unknown): Op => {
    const op: Op = { index, time: index * 1000, process, type, f, value };
    index++;
    return op;
  };
  /**
   * The register takes `v` from an op invoked at `invokedAt`. The old value is overwritten in
   * every linearization when a cas saw it, or when an acknowledged write began after the old
   * value's write completed; a crashed write may take effect at any later point, so its value is
   * only ever definitely overwritten by a cas.
   */
  const set = (v: number, invokedAt: number, cas: boolean, crashed: boolean): void => {
    if (cas || (!crashed && invokedAt > writtenAt)) overwritten = register;
    register = v;
    writtenAt = crashed ? Infinity : index;
  };
  let open = 0;
  while (invoked < opts.ops || open > 0) {
    const t = rng.int(processes);
    const p = pending[t];
    if (p === undefined) {
      if (invoked >= opts.ops) continue;
      const x = rng.next();
      const f = x < 1 / 3 ? 'read' : x < 2 / 3 ? 'write' : 'cas';
      const value = f === 'read' ? null : f === 'write' ? nextValue++ : [register, nextValue++];
      const stale = f === 'read' && !staleInjected && invoked >= opts.staleReadAt! ? overwritten : null;
      if (stale !== null) staleInjected = true;
      pending[t] = { process: processOf[t]!, invokedAt: index, f, value, stale };
      invoked++;
      open++;
      yield event(processOf[t]!, 'invoke', f, value);
      continue;
    }
    pending[t] = undefined;
    open--;
    const crash = p.stale === null && rng.next() < crashRate;
    if (p.f === 'read') {
      const done = event(p.process, crash ? 'info' : 'ok', 'read', crash ? null : (p.stale ?? register));
      if (p.stale !== null) done['injected'] = 'stale-read';
      yield done;
    } else if (p.f === 'write') {
      if (!crash || rng.next() < 0.5) set(p.value as number, p.invokedAt, false, crash);
      yield event(p.process, crash ? 'info' : 'ok', 'write', p.value);
    } else {
      const [from, to] = p.value as [number | null, number];
      const applies = from === register && (!crash || rng.next() < 0.5);
      if (applies) set(to, p.invokedAt, true, crash);
      yield event(p.process, crash ? 'info' : applies ? 'ok' : 'fail', 'cas', p.value);
    }
    if (crash) processOf[t] = processOf[t]! + processes;
  }
}

/** Writes the history as JSONL; resolves with the number of events. */
export async function writeRegisterHistory(path: string, opts: RegisterHistoryOptions): Promise<number> {
  const out = createWriteStream(path);
  let events = 0;
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    if (!out.write(batch.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
    batch = [];
  };
  for (const op of registerHistory(opts)) {
    batch.push(`${JSON.stringify(op)}\n`);
    events++;
    if (batch.length === 4096) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return events;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { processes: { type: 'string' }, seed: { type: 'string' }, 'stale-read-at': { type: 'string' }, 'crash-rate': { type: 'string' } },
  });
  const [out, ops] = positionals;
  if (!out || !ops) throw new Error('usage: register-history.ts OUT.jsonl OPS [--processes N] [--seed S] [--stale-read-at K] [--crash-rate R]');
  const events = await writeRegisterHistory(out, {
    ops: Number(ops),
    processes: Number(values.processes ?? 10),
    seed: Number(values.seed ?? 1),
    ...(values['stale-read-at'] !== undefined ? { staleReadAt: Number(values['stale-read-at']) } : {}),
    ...(values['crash-rate'] !== undefined ? { crashRate: Number(values['crash-rate']) } : {}),
  });
  console.log(`${out}: ${events} events`);
}
