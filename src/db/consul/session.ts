/**
 * One Consul session shared by every client of a run (the `consul.session-ttl` option), Consul's
 * counterpart of the etcd lease: created when the workload starts with a TTL, no health checks,
 * no lock delay and the `delete` behaviour; renewed every TTL/2 by the controller (trying each
 * server in turn, since one cut off from the leader cannot renew); left to lapse after the run. Every
 * write takes its key's lock for this session, so the run exercises session bookkeeping across
 * elections and restarts. If the session is invalidated anyway (no server could renew it in
 * time), Consul deletes the locked keys and the checkers report the lost data.
 */
import { ConsulHttp } from './http.ts';

/** The session-create body: TTL only (Consul accepts 10 s to 24 h), keys deleted on invalidation. */
export function sessionSpec(ttlS: number): Record<string, unknown> {
  // An explicit empty check list drops the default serfHealth check ("Checks" before Consul 1.7).
  return { Name: 'faultline', TTL: `${ttlS}s`, Behavior: 'delete', LockDelay: '0s', Checks: [], NodeChecks: [] };
}

export class SharedSession {
  readonly ttlS: number;
  readonly #timeoutMs: number;
  #id: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #agents: ConsulHttp[] = [];
  #next = 0;
  /** Renewals that found no server able to renew the session. */
  missedRenewals = 0;

  constructor(ttlS: number, timeoutMs: number) {
    this.ttlS = ttlS;
    this.#timeoutMs = timeoutMs;
  }

  id(): string | undefined {
    return this.#id;
  }

  /** Creates the session through the first agent that answers, then starts renewing it. */
  async start(addresses: readonly string[]): Promise<void> {
    this.#agents = addresses.map((a) => new ConsulHttp(a, this.#timeoutMs));
    const errors: string[] = [];
    for (const agent of this.#agents) {
      const r = await agent.request('PUT', '/v1/session/create', { body: JSON.stringify(sessionSpec(this.ttlS)) });
      const id = r.kind === 'response' && r.status === 200 ? (JSON.parse(r.body) as { ID?: unknown }).ID : undefined;
      if (typeof id === 'string') {
        this.#id = id;
        this.#timer = setInterval(() => void this.#renew(), (this.ttlS * 1000) / 2);
        this.#timer.unref();
        return;
      }
      errors.push(`${agent.address}: ${r.kind === 'response' ? `http ${r.status}: ${r.body.trim().slice(0, 200)}` : r.message}`);
    }
    this.stop();
    throw new Error(`could not create a Consul session of ${this.ttlS} s: ${errors.join('; ')}`);
  }

  async #renew(): Promise<void> {
    for (let tried = 0; tried < this.#agents.length; tried++) {
      const agent = this.#agents[this.#next % this.#agents.length] as ConsulHttp;
      const r = await agent.request('PUT', `/v1/session/renew/${this.#id}`);
      // 404: the session is gone; anything but 200 is a missed renewal on this agent.
      if (r.kind === 'response' && r.status === 200) return;
      this.#next++;
    }
    this.missedRenewals++;
  }

  /** Stops renewing; the session then lapses, and its keys go with it. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#agents = [];
  }
}
