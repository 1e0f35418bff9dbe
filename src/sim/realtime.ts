/**
 * Runs a simulator in step with the wall clock: simulated time is the milliseconds since `start`,
 * and each event runs when its time comes. This is how stores that live inside the controller
 * (the in-process stores) serve the real runner's clients: the same node logic, runtime and
 * simulator as in simulated time, only the clock is real.
 */
import type { ClientReply, Simulator } from './simulator.ts';

export class RealTimeSimulation<Req, Rep> {
  readonly #sim: Simulator<Req, Rep>;
  #origin = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(sim: Simulator<Req, Rep>) {
    this.#sim = sim;
  }

  start(): void {
    this.#origin = performance.now();
    this.#pump();
  }

  /** A client request, made now; resolves with how it ended. */
  request(node: string, req: Req): Promise<ClientReply<Rep>> {
    this.#catchUp();
    return new Promise((resolve) => {
      this.#sim.request(node, req, resolve);
      this.#arm();
    });
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /** Runs every event that is due by now. */
  #catchUp(): void {
    this.#sim.runUntil(performance.now() - this.#origin);
  }

  #pump(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#catchUp();
    this.#arm();
  }

  /** Wakes up for the next event (timers of 0 ms run after the current turn, as setImmediate would). */
  #arm(): void {
    if (this.#closed) return;
    const next = this.#sim.nextEventAt();
    if (next === Infinity) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), Math.max(0, next - (performance.now() - this.#origin)));
  }
}
