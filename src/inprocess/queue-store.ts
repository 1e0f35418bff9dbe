/**
 * In-process queue stores for the queue workload (`enqueue {id, key?, attempt?}` / `dequeue` →
 * msg or null / `drain` → msgs). With `dedupe` the store remembers idempotency keys and ignores
 * an enqueue whose key it has seen (so client retries cannot duplicate a message). Flaws:
 * `redeliver` sometimes hands out a message without removing it (duplicates), `lossy` drops
 * some acknowledged messages (lost).
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type QueueFlaw = 'redeliver' | 'lossy';

export function queueStore(opts: { dedupe?: boolean; flaw?: QueueFlaw } = {}): SimStore {
  const items: unknown[] = [];
  let head = 0; // items before head have been dequeued
  const keys = new Set<unknown>();
  return {
    apply(op: StoreOp, rng: Rng): Completion {
      switch (op.f) {
        case 'enqueue': {
          const key = (op.value as { key?: unknown } | null)?.key;
          if (opts.dedupe && key != null) {
            if (keys.has(key)) return { type: 'ok' };
            keys.add(key);
          }
          if (!(opts.flaw === 'lossy' && rng.next() < 0.1)) items.push(op.value);
          return { type: 'ok' };
        }
        case 'dequeue': {
          if (head === items.length) return { type: 'ok', value: null };
          const m = items[head];
          if (!(opts.flaw === 'redeliver' && rng.next() < 0.1)) head++;
          return { type: 'ok', value: m };
        }
        case 'drain': {
          const rest = items.slice(head);
          head = items.length;
          return { type: 'ok', value: rest };
        }
        default:
          return { type: 'fail', error: `unknown f ${op.f}` };
      }
    },
  };
}
