/**
 * Process (session) and realtime edges between transactions.
 * Process: consecutive ok transactions of one process. Realtime: a → b when a completed ok before
 * b was invoked, kept as a transitive reduction (each ok txn links to the invocations that follow
 * it until some txn invoked after it completes), so the edge count stays near n × concurrency.
 */
import { EdgeList, PROCESS, REALTIME } from './graph.ts';
import { OK, type TxnTable } from './txns.ts';

export function addProcessEdges(tt: TxnTable, edges: EdgeList): void {
  const last = new Map<number, number>();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] !== OK) continue;
    const p = tt.process[t]!;
    const prev = last.get(p);
    if (prev !== undefined) edges.add(prev, t, PROCESS);
    last.set(p, t);
  }
}

export function addRealtimeEdges(tt: TxnTable, edges: EdgeList): void {
  const { history, txnAt, invocation } = tt;
  let buffer: number[] = [];
  const inBuffer = new Uint8Array(tt.n);
  // For each txn, the buffer members linked to it at its invocation.
  const linkedFrom = new Map<number, number[]>();
  const invokedTxn = new Int32Array(history.length).fill(-1);
  for (let t = 0; t < tt.n; t++) {
    const inv = invocation[t]!;
    if (inv >= 0) invokedTxn[inv] = t;
  }
  for (let pos = 0; pos < history.length; pos++) {
    const t = invokedTxn[pos]!;
    if (t >= 0) {
      for (const a of buffer) edges.add(a, t, REALTIME);
      if (tt.type[t] === OK && buffer.length > 0) linkedFrom.set(t, buffer.slice());
      continue;
    }
    const c = txnAt[pos]!;
    if (c < 0 || tt.type[c] !== OK) continue;
    const preds = linkedFrom.get(c);
    if (preds) {
      for (const a of preds) inBuffer[a] = 0;
      linkedFrom.delete(c);
      buffer = buffer.filter((a) => inBuffer[a] === 1);
    }
    buffer.push(c);
    inBuffer[c] = 1;
  }
}
