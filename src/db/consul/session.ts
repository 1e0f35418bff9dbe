/**
 * One Consul session shared by every client of a run (the `consul.session-ttl` option), Consul's
 * counterpart of the etcd lease: created when the workload starts with a TTL, no health checks,
 * no lock delay and the `delete` behaviour; renewed every TTL/2 by the controller and left to
 * lapse after the run (see ../renewed-grant.ts). Every
 * write takes its key's lock for this session, so the run exercises session bookkeeping across
 * elections and restarts. If the session is invalidated anyway (no server could renew it in
 * time), Consul deletes the locked keys and the checkers report the lost data.
 */
import { RenewedGrant } from '../renewed-grant.ts';
import { ConsulHttp } from './http.ts';

/** The session-create body: TTL only (Consul accepts 10 s to 24 h), keys deleted on invalidation. */
export function sessionSpec(ttlS: number): Record<string, unknown> {
  // An explicit empty check list drops the default serfHealth check ("Checks" before Consul 1.7).
  return { Name: 'faultline', TTL: `${ttlS}s`, Behavior: 'delete', LockDelay: '0s', Checks: [], NodeChecks: [] };
}

export class SharedSession extends RenewedGrant<ConsulHttp> {
  protected readonly what = 'a Consul session';
  protected readonly renewFraction = 1 / 2;

  protected connect(address: string): ConsulHttp {
    return new ConsulHttp(address, this.timeoutMs);
  }

  protected async grant(agent: ConsulHttp): Promise<{ id: string } | { error: string }> {
    const r = await agent.request('PUT', '/v1/session/create', { body: JSON.stringify(sessionSpec(this.ttlS)) });
    if (r.kind !== 'response') return { error: r.message };
    const id = r.status === 200 ? (JSON.parse(r.body) as { ID?: unknown }).ID : undefined;
    return typeof id === 'string' ? { id } : { error: `http ${r.status}: ${r.body.trim().slice(0, 200)}` };
  }

  protected async renew(agent: ConsulHttp, id: string): Promise<boolean> {
    const r = await agent.request('PUT', `/v1/session/renew/${id}`);
    // 404: the session is gone; anything but 200 is a missed renewal on this agent.
    return r.kind === 'response' && r.status === 200;
  }
}
