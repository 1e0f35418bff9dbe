/** The queue workload's ops: enqueue / dequeue templates, client retries, the final drain. */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Op } from '../../src/core/op.ts';

export interface QueueWorkloadOptions {
  /** Send an idempotency key with each message. */
  idempotencyKeys?: boolean;
  /** Fraction of ops that are dequeues (default 0.4). */
  dequeueRatio?: number;
  /** Attempts per message, the first included (default 3). */
  maxAttempts?: number;
}

export interface QueueMessage {
  id: number;
  key?: string;
  attempt: number;
}

/** The n-th op; message n is unique. */
export function queueOp(rng: Rng, n: number, opts: QueueWorkloadOptions = {}): OpTemplate {
  if (rng.next() < (opts.dequeueRatio ?? 0.4)) return { f: 'dequeue', value: null };
  const msg: QueueMessage = opts.idempotencyKeys ? { id: n, key: `m${n}`, attempt: 1 } : { id: n, attempt: 1 };
  return { f: 'enqueue', value: msg };
}

/** The retry of an enqueue that ended info, or null when it needs none or attempts are used up. */
export function queueRetry(completion: Op, opts: QueueWorkloadOptions = {}): OpTemplate | null {
  if (completion.f !== 'enqueue' || completion.type !== 'info') return null;
  const msg = completion.value as QueueMessage;
  if (msg.attempt >= (opts.maxAttempts ?? 3)) return null;
  return { f: 'enqueue', value: { ...msg, attempt: msg.attempt + 1 } };
}

export const queueFinalOps: readonly OpTemplate[] = [{ f: 'drain', value: null }];
