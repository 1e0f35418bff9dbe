/**
 * Names and addresses of a local cluster, derived only from (prefix, subnet, node count), so a
 * later cleanup can find everything again: namespaces P-n1..P-nN and P-sw, switch ports n1..nN,
 * root-side controller veth P-ctl, controller at .1, node i at .(10+i), MACs 02:<subnet>:00:<host>.
 * With a topology, the clients of each region send from .2 to .9 on the controller veth.
 */
import { UsageError } from '../../core/errors.ts';

export interface LocalNode {
  name: string;
  netns: string;
  address: string;
  mac: string;
  /** The switch-side veth end (inside the switch namespace). */
  port: string;
}

export interface LocalLayout {
  prefix: string;
  /** First three octets, e.g. "10.213.0". */
  net24: string;
  cidr: string;
  switchNs: string;
  bridge: string;
  ctlLink: string;
  /** The switch-side end of the controller veth. */
  ctlPort: string;
  ctlAddress: string;
  ctlMac: string;
  /** Addresses for the clients of each region of a topology (.2 to .9), added to the controller veth. */
  regionClientAddresses: string[];
  nodes: LocalNode[];
}

export const DEFAULT_PREFIX = 'fl';
export const DEFAULT_SUBNET = '10.213.0.0/24';
export const MAX_NODES = 200;

/** Where a run keeps its node logs, clock files and helper logs unless told otherwise. */
export function defaultWorkDir(prefix: string): string {
  return `/tmp/faultline-${prefix}`;
}

/** Prefixes are short so that `<prefix>-ctl` fits the 15-character interface name limit. */
export function checkPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9]{0,9}$/.test(prefix)) {
    throw new UsageError(`bad run prefix ${JSON.stringify(prefix)}: use 1-10 lowercase letters/digits, starting with a letter`);
  }
}

/** Parses "A.B.C.0/24" inside a private range; returns "A.B.C". */
export function parseSubnet(subnet: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet);
  const o = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  const ok =
    o.length === 3 &&
    o.every((x) => x <= 255) &&
    (o[0] === 10 || (o[0] === 172 && (o[1] as number) >= 16 && (o[1] as number) <= 31) || (o[0] === 192 && o[1] === 168));
  if (!ok) throw new UsageError(`bad subnet ${JSON.stringify(subnet)}: use a private /24 such as ${DEFAULT_SUBNET}`);
  return o.join('.');
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function mac(net24: string, host: number): string {
  const [a, b, c] = net24.split('.').map(Number) as [number, number, number];
  return `02:${hex(a)}:${hex(b)}:${hex(c)}:00:${hex(host)}`;
}

export function localLayout(opts: { prefix?: string; subnet?: string; nodes?: number }): LocalLayout {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  checkPrefix(prefix);
  const net24 = parseSubnet(opts.subnet ?? DEFAULT_SUBNET);
  const count = opts.nodes ?? 5;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new UsageError(`bad node count ${count}: use 1..${MAX_NODES}`);
  }
  const nodes: LocalNode[] = [];
  for (let i = 1; i <= count; i++) {
    nodes.push({ name: `n${i}`, netns: `${prefix}-n${i}`, address: `${net24}.${10 + i}`, mac: mac(net24, 10 + i), port: `n${i}` });
  }
  return {
    prefix,
    net24,
    cidr: `${net24}.0/24`,
    switchNs: `${prefix}-sw`,
    bridge: 'br0',
    ctlLink: `${prefix}-ctl`,
    ctlPort: 'ctl',
    ctlAddress: `${net24}.1`,
    ctlMac: mac(net24, 1),
    regionClientAddresses: Array.from({ length: 8 }, (_, i) => `${net24}.${2 + i}`),
    nodes,
  };
}

/** Whether a namespace name belongs to the run with this prefix. */
export function isRunNamespace(prefix: string, netns: string): boolean {
  return netns === `${prefix}-sw` || new RegExp(`^${prefix}-n\\d+$`).test(netns);
}
