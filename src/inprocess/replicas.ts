/**
 * Asynchronous replication for the flawed in-process stores: every node holds its own copy of
 * the state; an update applies at once on the node that took it and reaches each other node
 * later, one delivery per `tick`, in order per origin-destination link (or in any order with
 * `reorder`). `settle` delivers everything still in flight.
 */
import type { Rng } from '../core/generator.ts';

export type Update<S> = (state: S) => void;

export class Replicas<S> {
  private readonly states = new Map<string, S>();
  /** Per destination node: updates not yet delivered there, oldest first. */
  private readonly inFlight = new Map<string, Array<{ origin: string; update: Update<S> }>>();
  private readonly reorder: boolean;

  constructor(nodes: readonly string[], init: () => S, opts: { reorder?: boolean } = {}) {
    for (const n of nodes) {
      this.states.set(n, init());
      this.inFlight.set(n, []);
    }
    this.reorder = opts.reorder ?? false;
  }

  state(node: string): S {
    const s = this.states.get(node);
    if (s === undefined) throw new Error(`unknown node ${node}`);
    return s;
  }

  update(origin: string, update: Update<S>): void {
    update(this.state(origin));
    for (const [node, queue] of this.inFlight) if (node !== origin) queue.push({ origin, update });
  }

  /** Delivers one in-flight update to one node, chosen at random. */
  tick(rng: Rng): void {
    const nodes = [...this.inFlight].filter(([, q]) => q.length > 0);
    if (nodes.length === 0) return;
    const [node, queue] = nodes[rng.int(nodes.length)]!;
    let i = 0;
    if (this.reorder) i = rng.int(queue.length);
    else {
      // The oldest update of a randomly chosen origin: links are FIFO, origins race each other.
      const origin = queue[rng.int(queue.length)]!.origin;
      i = queue.findIndex((u) => u.origin === origin);
    }
    const [u] = queue.splice(i, 1);
    u!.update(this.state(node));
  }

  settle(): void {
    for (const [node, queue] of this.inFlight) {
      for (const u of queue) u.update(this.state(node));
      queue.length = 0;
    }
  }
}
