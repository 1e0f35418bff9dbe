/**
 * A small pool of worker threads that check partitions in parallel, largest first. Workers run
 * the compiled worker, or the TypeScript one through tsx's loader when running from sources. A shared Int32Array flag cancels every running search; a
 * worker that dies (out of its heap limit, or failing to start) yields an `unknown` outcome
 * for its partition instead of losing the check.
 */
import { Worker } from 'node:worker_threads';
import { COMPILED, tsxApiUrl } from '../../src/code-paths.ts';
import type { PartitionOutcome } from './check-partition.ts';
import type { Partition } from './prepare.ts';

export interface WorkerTask {
  id: number;
  model: string;
  init: unknown;
  partition: Partition;
  remainingMs: number;
  maxBytes: number;
  cancel: Int32Array;
  fastPath: boolean;
}

type Reply = { id: number; outcome: PartitionOutcome } | { id: number; error: string };

// Node 20 does not apply `--import` loaders to a worker's entry module, so from sources the
// worker starts from a one-line script that registers tsx's loader and then imports worker.ts.
function spawn(heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb };
  if (COMPILED) return new Worker(new URL('./worker.js', import.meta.url), { resourceLimits });
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}

/** Runs tasks on up to `threads` workers; `onOutcome` sees each result as it arrives. */
export async function runOnWorkers(
  tasks: readonly Omit<WorkerTask, 'id'>[],
  threads: number,
  heapMb: number,
  onOutcome: (index: number, outcome: PartitionOutcome) => void,
): Promise<void> {
  let nextTask = 0;
  const runOne = async (): Promise<void> => {
    let worker: Worker | undefined;
    try {
      while (nextTask < tasks.length) {
        const i = nextTask++;
        const task = tasks[i]!;
        worker ??= spawn(heapMb);
        const w = worker;
        const reply = await new Promise<Reply | { id: number; died: string }>((resolve) => {
          const onMessage = (m: Reply): void => {
            cleanup();
            resolve(m);
          };
          const onError = (e: Error): void => {
            cleanup();
            resolve({ id: i, died: e.message });
          };
          const onExit = (code: number): void => {
            cleanup();
            resolve({ id: i, died: `worker exited with code ${code}` });
          };
          const cleanup = (): void => {
            w.off('message', onMessage);
            w.off('error', onError);
            w.off('exit', onExit);
          };
          w.on('message', onMessage);
          w.on('error', onError);
          w.on('exit', onExit);
          w.postMessage({ ...task, id: i });
        });
        if ('outcome' in reply) {
          onOutcome(i, { ...reply.outcome, worker: true });
          continue;
        }
        const died = 'died' in reply;
        const message = died ? reply.died : reply.error;
        if (died) {
          await worker.terminate();
          worker = undefined;
        }
        const memory = /memory|heap/i.test(message);
        const outcome: PartitionOutcome = {
          key: task.partition.key,
          valid: 'unknown',
          method: 'wgl',
          ops: task.partition.ops.length,
          configs: 0,
          states: 0,
          ms: 0,
          error: message,
        };
        if (memory) outcome.cause = 'memory';
        onOutcome(i, outcome);
      }
    } finally {
      await worker?.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, tasks.length) }, runOne));
}
