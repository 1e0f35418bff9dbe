/**
 * One etcd lease shared by every client of a run (the `lease-ttl` option): granted when the
 * workload starts, kept alive every TTL/3 seconds by the controller, and left to expire after
 * the run (see ../renewed-grant.ts). Every put is attached to it, so the run exercises lease
 * attachment and the leader's lease bookkeeping across elections and restarts. If the lease
 * lapses anyway (no member could renew it for a whole TTL), etcd deletes the keys and the
 * checkers report the lost data.
 */
import { RenewedGrant } from '../renewed-grant.ts';
import { EtcdGateway } from './gateway.ts';

export class SharedLease extends RenewedGrant<EtcdGateway> {
  protected readonly what = 'an etcd lease';
  protected readonly renewFraction = 1 / 3;

  protected connect(address: string): EtcdGateway {
    return new EtcdGateway(address, { timeoutMs: this.timeoutMs });
  }

  protected async grant(gw: EtcdGateway): Promise<{ id: string } | { error: string }> {
    const r = await gw.call('/v3/lease/grant', { TTL: String(this.ttlS) }, { requireLeader: true });
    if (r.kind === 'ok' && typeof r.body['ID'] === 'string') return { id: r.body['ID'] };
    return { error: r.kind === 'ok' ? 'no lease id in the reply' : r.message };
  }

  protected async renew(gw: EtcdGateway, id: string): Promise<boolean> {
    const r = await gw.call('/v3/lease/keepalive', { ID: id }, { requireLeader: true });
    // A live lease answers with its TTL; a missing TTL means the lease is gone.
    return r.kind === 'ok' && (r.body['result'] as { TTL?: string } | undefined)?.TTL !== undefined;
  }

  protected override close(gw: EtcdGateway): void {
    gw.close();
  }
}
