/**
 * Queue / log delivery: lost, duplicated and unexpected messages against an at-least-once,
 * at-most-once or exactly-once expectation, with the effect of client retries made visible.
 *
 * Ops: `{f: "enqueue", value: msg}` where msg is an id (number or string) or
 * `{id, key?, attempt?}` (an idempotency key the store may deduplicate on, and which attempt of
 * the client this is; a retry re-enqueues the same id and key); `{f: "dequeue", value: null}`
 * completing ok with a msg or null (queue empty); `{f: "drain", value: null}` completing ok with
 * an array of msgs (everything left). A message id is one logical message.
 *
 * - unexpected: delivered but never enqueued, or all its enqueues failed (always a violation);
 * - duplicated: delivered more than once (violates at-most-once and exactly-once). `cause` is
 *   `retry` when every delivery can be matched to an enqueue attempt that may have taken effect
 *   (the retries were not deduplicated; `keyed` says whether an idempotency key was sent), else
 *   `redelivery` (the queue itself delivered a message twice);
 * - lost: acknowledged (some enqueue ok) but never delivered (violates at-least-once and
 *   exactly-once). Only judged after an ok drain; dequeues or drains that ended info may have
 *   taken messages, so lost messages they could explain make the result unknown, not false.
 * Evidence: counts (`attempted`, `acknowledged`, `delivered`, `lostCount`, `duplicatedCount`,
 * `unexpectedCount`, `retried` (messages enqueued more than once), `retriedDuplicated`,
 * `retriedDeduplicated` (retried, may have been enqueued twice, delivered once),
 * `indeterminateDequeues`, `drained`), examples (up to 100: `lost`, `duplicated`, `unexpected`).
 * Checks op by op too: a duplicated delivery is definite when seen (at-most-once, exactly-once).
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import { mergeAll, type CheckResult, type Validity } from '../../src/core/validity.ts';
import { InvocationOrder } from '../invocation-order.ts';
import { foldChecker, type Fold } from '../online.ts';

const MAX_EXAMPLES = 100;

export type Delivery = 'at-least-once' | 'at-most-once' | 'exactly-once';

export interface QueueOptions {
  /** What the queue promises (default at-least-once). */
  delivery?: Delivery;
}

type MsgId = number | string;

interface MessageState {
  attempts: number;
  ok: number;
  /** Attempts that may have taken effect: ok, info or never completed. */
  maybe: number;
  keyed: boolean;
  firstEnqueue: number;
  deliveries: number;
  /** History indices of the first two ops that delivered it (-1: none yet). */
  firstDelivery: number;
  secondDelivery: number;
}

function msgId(v: unknown, op: Op, what: string): MsgId {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const id = (v as { id?: unknown }).id;
    if (typeof id === 'number' || typeof id === 'string') return id;
  }
  throw new HistoryError(`${what} must be a message id (number or string) or {id, key?}, got ${JSON.stringify(v)}`, op.index);
}

function hasKey(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as { key?: unknown }).key != null;
}

/**
 * The check as a fold over ops (see checkers/online.ts): invocations are tallied per message in
 * invocation order once completed (./invocation-order.ts), so every message is remembered until
 * the end (a delivery may come at any time). A second delivery is definite at once when the
 * queue promises at most one; unexpected and lost messages are only judged at the end (a later
 * enqueue or delivery may explain them).
 */
class QueueFold implements Fold {
  private readonly delivery: Delivery;
  private readonly order = new InvocationOrder((invoke, completion) => this.tally(invoke, completion), (op) => op.f === 'enqueue' || op.f === 'dequeue' || op.f === 'drain');
  private readonly msgs = new Map<MsgId, MessageState>();
  private indeterminateDequeues = 0;
  private indeterminateDrain = false;
  private drained = false;
  private attempted = 0;
  private duplicates = 0;

  constructor(delivery: Delivery) {
    this.delivery = delivery;
  }

  get violated(): boolean {
    return this.delivery !== 'at-least-once' && this.duplicates > 0;
  }

  feed(op: Op): void {
    if (op.type === 'invoke' && op.f === 'enqueue') msgId(op.value, op, 'enqueue value');
    this.order.feed(op);
  }

  private state(id: MsgId): MessageState {
    let s = this.msgs.get(id);
    if (!s) this.msgs.set(id, (s = { attempts: 0, ok: 0, maybe: 0, keyed: false, firstEnqueue: -1, deliveries: 0, firstDelivery: -1, secondDelivery: -1 }));
    return s;
  }

  private deliver(v: unknown, op: Op): void {
    const s = this.state(msgId(v, op, 'a delivered message'));
    s.deliveries++;
    if (s.deliveries === 1) s.firstDelivery = op.index;
    else if (s.deliveries === 2) {
      s.secondDelivery = op.index;
      this.duplicates++;
    }
  }

  private tally(op: Op, done: Op | undefined): void {
    const type = done?.type ?? 'info';
    if (op.f === 'enqueue') {
      const s = this.state(msgId(op.value, op, 'enqueue value'));
      if (s.attempts === 0) this.attempted++;
      s.attempts++;
      if (s.firstEnqueue < 0) s.firstEnqueue = op.index;
      if (hasKey(op.value)) s.keyed = true;
      if (type === 'ok') s.ok++;
      if (type !== 'fail') s.maybe++;
    } else if (op.f === 'dequeue') {
      if (type === 'info') this.indeterminateDequeues++;
      if (type === 'ok' && done!.value != null) this.deliver(done!.value, done!);
    } else {
      if (type === 'info') this.indeterminateDrain = true;
      if (type !== 'ok') return;
      this.drained = true;
      if (!Array.isArray(done!.value)) throw new HistoryError(`ok drain must return an array of messages, got ${JSON.stringify(done!.value)}`, done!.index);
      for (const m of done!.value as unknown[]) this.deliver(m, done!);
    }
  }

  result(): CheckResult {
    this.order.finish();
    const { delivery, msgs, indeterminateDequeues, indeterminateDrain, drained, attempted } = this;
    const wantsAll = delivery !== 'at-most-once';
    const wantsOnce = delivery !== 'at-least-once';
    const lost: Array<{ id: MsgId; enqueueIndex: number }> = [];
    const duplicated: Array<{ id: MsgId; deliveries: number; enqueueAttempts: number; cause: 'retry' | 'redelivery'; keyed: boolean; ops: number[] }> = [];
    const unexpected: Array<{ id: MsgId; index: number; reason: string }> = [];
    let lostCount = 0;
    let duplicatedCount = 0;
    let unexpectedCount = 0;
    let acknowledged = 0;
    let delivered = 0;
    let retried = 0;
    let retriedDuplicated = 0;
    let retriedDeduplicated = 0;
    for (const [id, s] of msgs) {
      if (s.ok > 0) acknowledged++;
      if (s.attempts > 1) retried++;
      if (s.deliveries > 0) delivered++;
      if (s.deliveries > 0 && s.maybe === 0) {
        unexpectedCount++;
        if (unexpected.length < MAX_EXAMPLES) unexpected.push({ id, index: s.firstDelivery, reason: s.attempts === 0 ? 'never enqueued' : 'every enqueue failed' });
      }
      if (s.deliveries > 1) {
        duplicatedCount++;
        if (s.attempts > 1) retriedDuplicated++;
        const cause = s.maybe > 1 && s.deliveries <= s.maybe ? 'retry' : 'redelivery';
        if (duplicated.length < MAX_EXAMPLES) duplicated.push({ id, deliveries: s.deliveries, enqueueAttempts: s.attempts, cause, keyed: s.keyed, ops: [s.firstDelivery, s.secondDelivery] });
      } else if (s.deliveries === 1 && s.maybe > 1) {
        retriedDeduplicated++;
      }
      if (s.ok > 0 && s.deliveries === 0) {
        lostCount++;
        if (lost.length < MAX_EXAMPLES) lost.push({ id, enqueueIndex: s.firstEnqueue });
      }
    }

    const anomalyTypes: string[] = [];
    const verdicts: Validity[] = [];
    const notes: string[] = [];
    if (unexpectedCount > 0) {
      anomalyTypes.push('unexpected');
      verdicts.push(false);
    }
    if (duplicatedCount > 0 && wantsOnce) {
      anomalyTypes.push('duplicated');
      verdicts.push(false);
    }
    if (lostCount > 0 && wantsAll) {
      if (!drained) {
        verdicts.push('unknown');
        notes.push(`${lostCount} acknowledged messages were not delivered, but the queue was never drained`);
      } else if (indeterminateDrain || lostCount <= indeterminateDequeues) {
        verdicts.push('unknown');
        notes.push(`${lostCount} acknowledged messages were not delivered, but dequeues or drains that ended info may have taken them`);
      } else {
        anomalyTypes.push('lost');
        verdicts.push(false);
      }
    }
    const result: CheckResult = {
      valid: mergeAll(verdicts),
      delivery,
      attempted,
      acknowledged,
      delivered,
      lostCount,
      duplicatedCount,
      unexpectedCount,
      retried,
      retriedDuplicated,
      retriedDeduplicated,
      indeterminateDequeues,
      drained,
      lost,
      duplicated,
      unexpected,
    };
    if (anomalyTypes.length > 0) result.anomalyTypes = anomalyTypes;
    if (notes.length > 0 && result.valid === 'unknown') result.error = notes.join('; ');
    return result;
  }
}

/** The queue checker; it also checks op by op (`begin`). */
export function queue(opts: QueueOptions = {}) {
  const delivery = opts.delivery ?? 'at-least-once';
  return foldChecker('queue', () => new QueueFold(delivery));
}
