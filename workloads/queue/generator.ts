/**
 * The queue workload's generator: new enqueues and dequeues from `queueOp`, and, whenever an
 * enqueue ends info, its retry (`queueRetry`) before anything new, as a client library would
 * resend a message it is not sure was delivered. Immutable: each step returns a new generator.
 */
import type { GenContext, GenResult, GenTest, Generator, OpTemplate } from '../../src/core/generator.ts';
import type { Op } from '../../src/core/op.ts';
import { fillTemplate } from '../../src/generator/lift.ts';
import { queueOp, queueRetry, type QueueWorkloadOptions } from './ops.ts';

export class QueueGenerator implements Generator {
  readonly opts: QueueWorkloadOptions;
  /** The next message number. */
  readonly n: number;
  /** Retries waiting to be sent, oldest first. */
  readonly retries: readonly OpTemplate[];

  constructor(opts: QueueWorkloadOptions, n = 0, retries: readonly OpTemplate[] = []) {
    this.opts = opts;
    this.n = n;
    this.retries = retries;
  }

  op(_test: GenTest, ctx: GenContext): GenResult {
    if (ctx.freeThreads.length === 0) return { op: 'pending', gen: this };
    const retry = this.retries[0];
    const inv = fillTemplate(retry ?? queueOp(ctx.rng, this.n, this.opts), ctx);
    if (inv === null) return { op: 'pending', gen: this };
    const next = retry ? new QueueGenerator(this.opts, this.n, this.retries.slice(1)) : new QueueGenerator(this.opts, this.n + 1, this.retries);
    return { op: inv, gen: next };
  }

  update(_test: GenTest, _ctx: GenContext, event: Op): Generator {
    const retry = queueRetry(event, this.opts);
    return retry ? new QueueGenerator(this.opts, this.n, [...this.retries, retry]) : this;
  }
}
