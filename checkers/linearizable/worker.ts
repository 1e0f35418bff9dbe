/**
 * Worker thread entry: checks partitions sent by pool.ts with a built-in model (models cannot
 * cross threads, so the worker builds its own from the name and initial value).
 */
import { parentPort } from 'node:worker_threads';
import { checkPartition } from './check-partition.ts';
import { createModel } from './models/index.ts';
import type { WorkerTask } from './pool.ts';

const port = parentPort;
if (port) {
  port.on('message', (task: WorkerTask) => {
    try {
      const model = createModel(task.model, task.init);
      const outcome = checkPartition(model, task.partition, { deadline: performance.now() + task.remainingMs, maxBytes: task.maxBytes, cancel: task.cancel }, task.fastPath);
      port.postMessage({ id: task.id, outcome });
    } catch (e) {
      port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
