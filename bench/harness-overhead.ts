/**
 * Harness overhead: how many ops a second the generator + interpreter + history recorder can
 * drive when the client does nothing (resolves immediately). An op is an invocation plus its
 * completion; the history goes to a JSONL file in a temporary directory.
 *
 * Two generators: "simple" is clients(limit(n, repeat(fn))); "composed" is what a run uses:
 * timeLimit over any(clients(mix of reads and writes), nemesis(staggered faults)).
 *
 * CPU time per op (user + system, all threads) is printed too: on a shared, loaded machine it
 * says more than the wall-clock rate.
 *
 * Run: npx tsx bench/harness-overhead.ts [ops=1000000] [concurrency=10]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, ClientFactory, Completion } from '../src/core/client.ts';
import type { Generator } from '../src/core/generator.ts';
import type { Nemesis } from '../src/core/nemesis.ts';
import { any, clients, limit, mix, nemesis, repeat, stagger, timeLimit } from '../src/generator/index.ts';
import { HistoryRecorder } from '../src/history/recorder.ts';
import { runInterpreter } from '../src/runner/interpreter.ts';
import { runContext } from '../src/runner/context.ts';
import { inProcessCluster } from '../src/providers/index.ts';

const ops = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 10);

const OK: Completion = { type: 'ok' };
const noopClient: Client = { invoke: async () => OK, close: () => undefined };
const factory: ClientFactory = { open: () => noopClient };
const noopNemesis: Nemesis = { name: 'noop', fs: ['start-noop', 'stop-noop'], invoke: async () => OK };

function simple(): Generator {
  let seq = 0;
  return clients(limit(ops, repeat(() => ({ f: 'write', value: seq++ }))));
}

function composed(): Generator {
  let seq = 0;
  const workload = mix([repeat({ f: 'read' }), repeat(() => ({ f: 'write', value: seq++ })), repeat((_t, ctx) => ({ f: 'cas', value: [ctx.rng.int(5), ctx.rng.int(5)] }))]);
  return timeLimit(3600, limit(ops, any(clients(workload), nemesis(stagger(1, repeat({ f: 'start-noop' }))))));
}

async function measure(name: string, generator: Generator): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'harness-overhead-'));
  const path = join(dir, 'history.jsonl');
  try {
    const recorder = await HistoryRecorder.open(path);
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const result = await runInterpreter({
      context: runContext({ cluster: inProcessCluster(['n1', 'n2', 'n3', 'n4', 'n5']) }),
      concurrency,
      generator,
      clientFactory: factory,
      nemesis: noopNemesis,
      onEvent: (op) => recorder.append(op),
      opTimeoutMs: 10_000,
      seed: 1,
      keepHistory: false,
    });
    await recorder.close();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const done = result.ok + result.fail + result.info;
    console.log(
      `${name.padEnd(9)} ${done} ops, ${concurrency} workers: ${(done / seconds).toFixed(0)} ops/s, ` +
        `${((seconds * 1e6) / done).toFixed(2)} µs/op (${((cpuSeconds * 1e6) / done).toFixed(2)} µs CPU/op), ` +
        `${seconds.toFixed(2)} s, history ${(statSync(path).size / 1e6).toFixed(1)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('harness-overhead: generator + interpreter + HistoryRecorder, no-op client resolving immediately');
await measure('simple', simple());
await measure('composed', composed());
