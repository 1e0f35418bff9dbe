/**
 * One etcd lease shared by every client of a run (the `lease-ttl` option): granted when the
 * workload starts, kept alive every TTL/3 seconds by the controller (trying each member in turn,
 * since a member cut off from the leader cannot renew), and left to expire after the run. Every
 * put is attached to it, so the run exercises lease attachment and the leader's lease
 * bookkeeping across elections and restarts. If the lease lapses anyway (no member could renew
 * it for a whole TTL), etcd deletes the keys and the checkers report the lost data.
 */
import { EtcdGateway } from './gateway.ts';

export class SharedLease {
  readonly ttlS: number;
  readonly #timeoutMs: number;
  #id: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #gateways: EtcdGateway[] = [];
  #next = 0;
  /** Renewals that found no member able to renew the lease. */
  missedRenewals = 0;

  constructor(ttlS: number, timeoutMs: number) {
    this.ttlS = ttlS;
    this.#timeoutMs = timeoutMs;
  }

  id(): string | undefined {
    return this.#id;
  }

  /** Grants the lease through the first member that answers, then starts renewing it. */
  async start(addresses: readonly string[]): Promise<void> {
    this.#gateways = addresses.map((a) => new EtcdGateway(a, { timeoutMs: this.#timeoutMs }));
    const errors: string[] = [];
    for (const gw of this.#gateways) {
      const r = await gw.call('/v3/lease/grant', { TTL: String(this.ttlS) }, { requireLeader: true });
      if (r.kind === 'ok' && typeof r.body['ID'] === 'string') {
        this.#id = r.body['ID'];
        this.#timer = setInterval(() => void this.#renew(), (this.ttlS * 1000) / 3);
        this.#timer.unref();
        return;
      }
      errors.push(`${gw.address}: ${r.kind === 'ok' ? 'no lease id in the reply' : r.message}`);
    }
    this.stop();
    throw new Error(`could not grant an etcd lease of ${this.ttlS} s: ${errors.join('; ')}`);
  }

  async #renew(): Promise<void> {
    for (let tried = 0; tried < this.#gateways.length; tried++) {
      const gw = this.#gateways[this.#next % this.#gateways.length] as EtcdGateway;
      const r = await gw.call('/v3/lease/keepalive', { ID: this.#id }, { requireLeader: true });
      // A live lease answers with its TTL; a missing TTL means the lease is gone.
      if (r.kind === 'ok' && (r.body['result'] as { TTL?: string } | undefined)?.TTL !== undefined) return;
      this.#next++;
    }
    this.missedRenewals++;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const gw of this.#gateways) gw.close();
    this.#gateways = [];
  }
}
