/**
 * Queues: `fifo-queue` (dequeue returns the oldest element) and `unordered-queue` (dequeue
 * returns any element present). `enqueue v` adds v; an ok `dequeue` returns the element it
 * removed, or null when the queue was empty. A fifo dequeue that crashed removes the head if
 * there is one. An unordered dequeue that crashed has no known element and is checked as not
 * having happened (as Knossos does): a later empty dequeue may then be flagged.
 */
import { defaultPrepare, inconsistent, type Model, type ModelOp, type RawModelOp } from '../model.ts';
import { sameValue, show, unknownOp } from './values.ts';

type Queue = readonly unknown[];

function prepareQueue(name: string, op: RawModelOp): ModelOp | null {
  if (op.f !== 'enqueue' && op.f !== 'dequeue') throw unknownOp(name, op);
  const p = defaultPrepare(op);
  if (p !== null && p.f === 'dequeue' && p.outcome === 'info' && name === 'unordered-queue') return null;
  return p;
}

export function fifoQueue(init: unknown = []): Model<Queue> {
  const start: Queue = Array.isArray(init) ? [...init] : [];
  return {
    name: 'fifo-queue',
    init: () => start,
    key: (q) => JSON.stringify(q),
    prepare: (op) => prepareQueue('fifo-queue', op),
    step(q: Queue, op: ModelOp) {
      if (op.f === 'enqueue') return [...q, op.value];
      if (op.outcome === 'info') return q.length === 0 ? q : q.slice(1);
      if (op.value === null) return q.length === 0 ? q : inconsistent(() => `dequeue found the queue empty, but it holds ${show(q)}`);
      if (q.length === 0) return inconsistent(() => `can't dequeue ${show(op.value)}: the queue is empty`);
      return sameValue(q[0], op.value) ? q.slice(1) : inconsistent(() => `can't dequeue ${show(op.value)}: the head is ${show(q[0])}`);
    },
    describeState: (q) => show(q),
  };
}

export function unorderedQueue(init: unknown = []): Model<Queue> {
  const sorted = (xs: readonly unknown[]): string[] => xs.map((x) => JSON.stringify(x) ?? 'null').sort();
  const start: Queue = Array.isArray(init) ? sorted(init) : [];
  return {
    name: 'unordered-queue',
    init: () => start,
    key: (q) => q.join('\u0000'),
    prepare: (op) => prepareQueue('unordered-queue', op),
    step(q: Queue, op: ModelOp) {
      const k = JSON.stringify(op.value) ?? 'null';
      if (op.f === 'enqueue') return [...q, k].sort();
      if (op.value === null) return q.length === 0 ? q : inconsistent(() => `dequeue found the queue empty, but it holds ${q.join(' ')}`);
      const i = q.indexOf(k);
      return i < 0 ? inconsistent(() => `can't dequeue ${k}: the queue holds {${q.join(' ')}}`) : [...q.slice(0, i), ...q.slice(i + 1)];
    },
    describeState: (q) => `{${q.join(' ')}}`,
  };
}
