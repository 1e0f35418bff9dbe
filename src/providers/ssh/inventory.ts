/**
 * The ssh inventory: a JSON file listing the hosts of a cluster and how to reach them.
 *
 *   { "user": "root", "privateKey": "~/.ssh/id_ed25519", "knownHosts": "~/.ssh/known_hosts",
 *     "hostKeyPolicy": "strict", "port": 22,
 *     "nodes": [ { "name": "n1", "host": "192.0.2.11" }, { "name": "n2", "host": "db2", "address": "192.0.2.12" } ] }
 *
 * Per-node `user`, `port`, `privateKey` override the defaults; `address` (what peers and clients
 * use) defaults to `host`. Errors name the file and the field at fault.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InputError, UsageError } from '../../core/errors.ts';
import type { HostKeyPolicy } from '../../control/known-hosts.ts';
import type { SshTarget } from '../../control/ssh.ts';

export interface InventoryNode {
  name: string;
  host: string;
  address: string;
  port: number;
  user: string;
  privateKey: string;
}

export interface Inventory {
  nodes: InventoryNode[];
  knownHosts: string;
  hostKeyPolicy: HostKeyPolicy;
  sudo?: boolean;
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

export function parseInventory(data: unknown, file = 'inventory.json'): Inventory {
  const bad = (field: string, msg: string) => new InputError(`${field}: ${msg}`, { file });
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw bad('(top level)', 'must be a JSON object');
  const d = data as Record<string, unknown>;
  const str = (v: unknown, field: string, dflt?: string): string => {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'string' || v === '') throw bad(field, 'must be a non-empty string');
    return v;
  };
  const port = (v: unknown, field: string, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) throw bad(field, 'must be a port number 1..65535');
    return v as number;
  };
  const policy = str(d['hostKeyPolicy'], 'hostKeyPolicy', 'strict');
  if (!['strict', 'accept-new', 'off'].includes(policy)) throw bad('hostKeyPolicy', 'must be "strict", "accept-new" or "off"');
  if (d['sudo'] !== undefined && typeof d['sudo'] !== 'boolean') throw bad('sudo', 'must be true or false');
  const user = str(d['user'], 'user', 'root');
  const key = str(d['privateKey'], 'privateKey', '~/.ssh/id_ed25519');
  const dPort = port(d['port'], 'port', 22);
  if (!Array.isArray(d['nodes']) || d['nodes'].length === 0) throw bad('nodes', 'must be a non-empty array');
  const seen = new Set<string>();
  const nodes = (d['nodes'] as unknown[]).map((raw, i) => {
    const f = `nodes[${i}]`;
    if (!raw || typeof raw !== 'object') throw bad(f, 'must be an object with name and host');
    const n = raw as Record<string, unknown>;
    const name = str(n['name'], `${f}.name`);
    if (seen.has(name)) throw bad(`${f}.name`, `duplicate node name ${JSON.stringify(name)}`);
    seen.add(name);
    const host = str(n['host'], `${f}.host`);
    return {
      name,
      host,
      address: str(n['address'], `${f}.address`, host),
      port: port(n['port'], `${f}.port`, dPort),
      user: str(n['user'], `${f}.user`, user),
      privateKey: expandHome(str(n['privateKey'], `${f}.privateKey`, key)),
    };
  });
  return {
    nodes,
    knownHosts: expandHome(str(d['knownHosts'], 'knownHosts', '~/.ssh/known_hosts')),
    hostKeyPolicy: policy as HostKeyPolicy,
    ...(typeof d['sudo'] === 'boolean' ? { sudo: d['sudo'] } : {}),
  };
}

export async function readInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read inventory: ${(e as Error).message}`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  return parseInventory(data, file);
}

/**
 * Refuses, before anything starts, a private key that cannot be read, and a known-hosts file that
 * cannot be read while the host-key policy is "strict" (accept-new creates it; off never reads
 * it): one line naming the file and how to fix it. `file` is the inventory, for the message.
 */
export async function checkInventoryFiles(inv: Inventory, file: string): Promise<void> {
  const why = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
  for (const key of new Set(inv.nodes.map((n) => n.privateKey))) {
    await readFile(key).catch((e: unknown) => {
      throw new UsageError(`ssh private key ${key} cannot be read (${why(e)}): create it (ssh-keygen -t ed25519 -f ${key}) or name another with "privateKey" in ${file}`);
    });
  }
  if (inv.hostKeyPolicy !== 'strict') return;
  await readFile(inv.knownHosts).catch((e: unknown) => {
    throw new UsageError(
      `known-hosts file ${inv.knownHosts} cannot be read (${why(e)}) and hostKeyPolicy is "strict": add the hosts' keys (ssh-keyscan HOST >> ${inv.knownHosts}), name another with "knownHosts" in ${file}, or use hostKeyPolicy "accept-new"`,
    );
  });
}

/** How to reach one inventory host: the ssh target its Remote uses. */
export function sshTarget(inv: Inventory, n: InventoryNode, prefix: string): SshTarget {
  return {
    node: n.name,
    host: n.host,
    port: n.port,
    user: n.user,
    privateKeyFile: n.privateKey,
    knownHostsFile: inv.knownHosts,
    hostKeyPolicy: inv.hostKeyPolicy,
    ...(inv.sudo !== undefined ? { sudo: inv.sudo } : {}),
    prefix,
  };
}
