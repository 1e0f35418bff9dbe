/**
 * Typed etcd KV calls on top of the JSON gateway: range (one key or a prefix, linearizable or
 * serializable), put, and txn (compares + puts or ranges), each resolving to ok with the decoded
 * reply or to a classified fail / info. Calls that may change data ask for the hasleader check,
 * so a member without a leader rejects them at once (definite) instead of timing out.
 */
import { EtcdGateway, b64, classify, prefixEnd, type GatewayKv } from './gateway.ts';
import type { KvOutcome } from '../kv-clients.ts';

export type { KvOutcome };

export interface RangeReply {
  kvs: GatewayKv[];
  revision: string;
}

export interface TxnReply {
  succeeded: boolean;
  /** One entry per success request; range responses carry their kvs. */
  responses: { response_range?: { kvs?: GatewayKv[] } }[];
}

export interface Compare {
  key: string;
  target: 'VALUE' | 'MOD' | 'CREATE';
  /** VALUE compares the (plain text) value; MOD and CREATE a revision (0: the key does not exist). */
  value?: string;
  revision?: string;
}

export type TxnRequest = { put: { key: string; value: string } } | { range: { key: string; prefix?: boolean } };

export class EtcdKv {
  readonly gateway: EtcdGateway;
  /** Lease id attached to every put, when a lease is in use. */
  readonly leaseId: () => string | undefined;

  constructor(gateway: EtcdGateway, leaseId: () => string | undefined = () => undefined) {
    this.gateway = gateway;
    this.leaseId = leaseId;
  }

  #rangeBody(key: string, prefix: boolean, serializable: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = { key: b64(key) };
    if (prefix) body['range_end'] = prefixEnd(key);
    if (serializable) body['serializable'] = true;
    return body;
  }

  #putBody(key: string, value: string): Record<string, unknown> {
    const lease = this.leaseId();
    return { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) };
  }

  async range(key: string, opts: { prefix?: boolean; serializable: boolean }, signal: AbortSignal): Promise<KvOutcome<RangeReply>> {
    const r = classify(
      await this.gateway.call('/v3/kv/range', this.#rangeBody(key, opts.prefix ?? false, opts.serializable), { signal, requireLeader: !opts.serializable }),
      true,
    );
    if (r.type !== 'ok') return r;
    const header = r.body['header'] as { revision?: string } | undefined;
    return { type: 'ok', value: { kvs: (r.body['kvs'] as GatewayKv[] | undefined) ?? [], revision: header?.revision ?? '0' } };
  }

  async put(key: string, value: string, signal: AbortSignal): Promise<KvOutcome<null>> {
    const r = classify(await this.gateway.call('/v3/kv/put', this.#putBody(key, value), { signal, requireLeader: true }), false);
    return r.type === 'ok' ? { type: 'ok', value: null } : r;
  }

  /**
   * A txn: if every compare holds, run `success`. Read-only txns (no puts) may be serializable;
   * their unknown outcomes are fails.
   */
  async txn(compares: readonly Compare[], success: readonly TxnRequest[], signal: AbortSignal, serializable = false): Promise<KvOutcome<TxnReply>> {
    const readOnly = success.every((s) => 'range' in s);
    const body = {
      compare: compares.map((c) => ({
        key: b64(c.key),
        target: c.target,
        result: 'EQUAL',
        ...(c.target === 'VALUE' ? { value: b64(c.value ?? '') } : {}),
        ...(c.target === 'MOD' ? { mod_revision: c.revision ?? '0' } : {}),
        ...(c.target === 'CREATE' ? { create_revision: c.revision ?? '0' } : {}),
      })),
      success: success.map((s) =>
        'put' in s
          ? { request_put: this.#putBody(s.put.key, s.put.value) }
          : { request_range: this.#rangeBody(s.range.key, s.range.prefix ?? false, readOnly && serializable) },
      ),
    };
    const r = classify(await this.gateway.call('/v3/kv/txn', body, { signal, requireLeader: !(readOnly && serializable) }), readOnly);
    if (r.type !== 'ok') return r;
    return {
      type: 'ok',
      value: { succeeded: r.body['succeeded'] === true, responses: (r.body['responses'] as TxnReply['responses'] | undefined) ?? [] },
    };
  }

  close(): void {
    this.gateway.close();
  }
}
