/**
 * In-process queue stores for the queue workload (`enqueue {id, key?, attempt?}` / `dequeue` →
 * msg or null / `drain` → msgs), one copy on the primary. With `dedupe` the store remembers
 * idempotency keys and ignores an enqueue whose key it has seen (so client retries cannot
 * duplicate a message). Flaws: `redeliver` sometimes hands out a message without removing it
 * (duplicates), `lossy` drops some acknowledged messages (lost).
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type QueueFlaw = 'redeliver' | 'lossy';

interface Queue {
  items: unknown[];
  /** Items before head have been dequeued. */
  head: number;
  keys: Set<unknown>;
}

export function queueStore(opts: { dedupe?: boolean; flaw?: QueueFlaw } = {}): InProcessStore {
  return modelStore<Queue>({
    init: () => ({ items: [], head: 0, keys: new Set() }),
    apply(q, op, ctx) {
      switch (op.f) {
        case 'enqueue': {
          const key = (op.value as { key?: unknown } | null)?.key;
          if (opts.dedupe && key != null) {
            if (q.keys.has(key)) return { type: 'ok' };
            q.keys.add(key);
          }
          if (!(opts.flaw === 'lossy' && ctx.random() < 0.1)) q.items.push(op.value);
          return { type: 'ok' };
        }
        case 'dequeue': {
          if (q.head === q.items.length) return { type: 'ok', value: null };
          const m = q.items[q.head];
          if (!(opts.flaw === 'redeliver' && ctx.random() < 0.1)) q.head++;
          return { type: 'ok', value: m };
        }
        case 'drain': {
          const rest = q.items.slice(q.head);
          q.head = q.items.length;
          return { type: 'ok', value: rest };
        }
        default:
          return { type: 'fail', error: `unknown f ${op.f}` };
      }
    },
  });
}
