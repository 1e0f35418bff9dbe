/**
 * A search worker thread (see search.ts): plans the simulation from the spec as the main thread
 * did, runs its share of the seeds and posts what each one found, until told to stop, its seeds
 * run out or the deadline passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SILENT } from '../runner/context.ts';
import { loadParts } from '../plugins/registry.ts';
import { planSim } from './plan.ts';
import { seedsOf, summarize, type WorkerMessage, type WorkerTask } from './search.ts';
import { runSeed } from './seed-run.ts';

const task = workerData as WorkerTask;
const port = parentPort!;
let stop = false;
port.on('message', (m: unknown) => {
  if (m === 'stop') stop = true;
});
const send = (m: WorkerMessage): void => port.postMessage(m);

try {
  const { parts } = await loadParts(task.configs);
  const plan = await planSim(task.spec, parts, SILENT);
  for (const seed of seedsOf(task.baseSeed, task.index, task.count, task.seeds)) {
    // Let a stop message in between seeds.
    await new Promise((resolve) => setImmediate(resolve));
    if (stop || Date.now() >= task.deadline) break;
    const summary = summarize(await runSeed(plan, { seed }, { measurements: false }));
    send({ kind: 'seed', summary });
    if (summary.failed) break;
  }
  send({ kind: 'done' });
} catch (e) {
  send({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
// Nothing more to hear: let the thread end once its messages are out.
port.unref();
