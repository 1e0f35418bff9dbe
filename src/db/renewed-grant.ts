/**
 * Something a database grants for a time and the controller keeps renewing for the whole run
 * (an etcd lease, a Consul session), shared by every client: granted through the first node that
 * answers, renewed on a timer by trying each node in turn (one cut off from the leader cannot
 * renew), and left to lapse after the run. Subclasses say how to grant and renew.
 */
import type { KeepAlive } from './kv-clients.ts';

export abstract class RenewedGrant<E extends { readonly address: string }> implements KeepAlive {
  readonly ttlS: number;
  protected readonly timeoutMs: number;
  #id: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #endpoints: E[] = [];
  #next = 0;
  /** Renewals that found no node able to renew. */
  missedRenewals = 0;

  constructor(ttlS: number, timeoutMs: number) {
    this.ttlS = ttlS;
    this.timeoutMs = timeoutMs;
  }

  /** What is granted, for messages: "an etcd lease". */
  protected abstract readonly what: string;
  /** How often to renew, as a fraction of the TTL. */
  protected abstract readonly renewFraction: number;
  protected abstract connect(address: string): E;
  /** The new grant's id, or why this node did not grant it. */
  protected abstract grant(endpoint: E): Promise<{ id: string } | { error: string }>;
  /** Whether this node renewed the grant. */
  protected abstract renew(endpoint: E, id: string): Promise<boolean>;
  protected close(_endpoint: E): void {}

  id(): string | undefined {
    return this.#id;
  }

  async start(addresses: readonly string[]): Promise<void> {
    this.#endpoints = addresses.map((a) => this.connect(a));
    const errors: string[] = [];
    for (const e of this.#endpoints) {
      const r = await this.grant(e);
      if ('id' in r) {
        this.#id = r.id;
        this.#timer = setInterval(() => void this.#renewSomewhere(), this.ttlS * 1000 * this.renewFraction);
        this.#timer.unref();
        return;
      }
      errors.push(`${e.address}: ${r.error}`);
    }
    this.stop();
    throw new Error(`could not get ${this.what} of ${this.ttlS} s: ${errors.join('; ')}`);
  }

  async #renewSomewhere(): Promise<void> {
    const id = this.#id;
    if (id === undefined) return;
    for (let tried = 0; tried < this.#endpoints.length; tried++) {
      if (await this.renew(this.#endpoints[this.#next % this.#endpoints.length] as E, id)) return;
      this.#next++;
    }
    this.missedRenewals++;
  }

  /** Stops renewing; the grant then lapses, and what hangs on it goes with it. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const e of this.#endpoints) this.close(e);
    this.#endpoints = [];
  }
}
