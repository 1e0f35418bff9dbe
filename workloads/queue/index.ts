/**
 * The queue workload: clients enqueue uniquely numbered messages and dequeue them, and drain
 * the queue at the end; the queue checker finds lost, duplicated and unexpected messages
 * against the promised delivery (at-least-once, at-most-once, exactly-once).
 *
 * Op shapes:
 *   enqueue  invoke value {id, key?, attempt}    completion: same
 *            (key: an idempotency key "m<id>" when `idempotencyKeys`; attempt counts retries)
 *   dequeue  invoke value null                   ok value: the message, or null when empty
 *   drain    invoke value null                   ok value: [message...] (all that was left)
 * Retries: when an enqueue ends info (the client cannot tell whether it happened), `queueRetry`
 * gives the same message again with the next attempt number, as a client library would.
 * Final phase: one drain.
 */
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { queue, type Delivery } from '../../checkers/queue/queue.ts';
import { QueueGenerator } from './generator.ts';
import { queueFinalOps, type QueueWorkloadOptions } from './ops.ts';

export { queueOp, queueRetry, queueFinalOps, type QueueMessage, type QueueWorkloadOptions } from './ops.ts';

/** The queue workload with client retries, a final drain, judged against `delivery`. */
export function queueWorkload(opts: QueueWorkloadOptions & { delivery?: Delivery } = {}): Workload {
  return {
    name: 'queue',
    generator: new QueueGenerator(opts),
    finalGenerator: lift(queueFinalOps),
    checker: queue(opts.delivery ? { delivery: opts.delivery } : {}),
  };
}
