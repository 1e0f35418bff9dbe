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
 */
import type { Checker } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import { mergeAll, type CheckResult, type Validity } from '../../src/core/validity.ts';
import { completionIndex } from '../../src/history/pairs.ts';

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

export function queue(opts: QueueOptions = {}) {
  const delivery = opts.delivery ?? 'at-least-once';
  const wantsAll = delivery !== 'at-most-once';
  const wantsOnce = delivery !== 'at-least-once';
  return {
    name: 'queue',
    check(history: History): CheckResult {
      const partner = completionIndex(history);
      const msgs = new Map<MsgId, MessageState>();
      const state = (id: MsgId): MessageState => {
        let s = msgs.get(id);
        if (!s) msgs.set(id, (s = { attempts: 0, ok: 0, maybe: 0, keyed: false, firstEnqueue: -1, deliveries: 0, firstDelivery: -1, secondDelivery: -1 }));
        return s;
      };
      const deliver = (v: unknown, op: Op): void => {
        const s = state(msgId(v, op, 'a delivered message'));
        s.deliveries++;
        if (s.deliveries === 1) s.firstDelivery = op.index;
        else if (s.deliveries === 2) s.secondDelivery = op.index;
      };
      let indeterminateDequeues = 0;
      let indeterminateDrain = false;
      let drained = false;
      let attempted = 0;
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.type !== 'invoke') continue;
        const c = partner[i]!;
        const done = c >= 0 ? history[c]! : undefined;
        const type = done?.type ?? 'info';
        if (op.f === 'enqueue') {
          const s = state(msgId(op.value, op, 'enqueue value'));
          if (s.attempts === 0) attempted++;
          s.attempts++;
          if (s.firstEnqueue < 0) s.firstEnqueue = op.index;
          if (hasKey(op.value)) s.keyed = true;
          if (type === 'ok') s.ok++;
          if (type !== 'fail') s.maybe++;
        } else if (op.f === 'dequeue') {
          if (type === 'info') indeterminateDequeues++;
          if (type === 'ok' && done!.value != null) deliver(done!.value, done!);
        } else if (op.f === 'drain') {
          if (type === 'info') indeterminateDrain = true;
          if (type !== 'ok') continue;
          drained = true;
          if (!Array.isArray(done!.value)) throw new HistoryError(`ok drain must return an array of messages, got ${JSON.stringify(done!.value)}`, done!.index);
          for (const m of done!.value as unknown[]) deliver(m, done!);
        }
      }

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
    },
  } satisfies Checker;
}
