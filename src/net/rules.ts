/**
 * Renders fault rules as text for the tools that apply them: nft scripts for the switch
 * namespace's bridge (partitions, loss), iptables-restore batches (duplication, delay queueing,
 * per-host partitions over ssh) and tc batches (per-link rate limits). Pure: the callers run them.
 */

export interface AddrLink {
  from: string;
  to: string;
}

export const PARTITION_TABLE = 'faultline_partition';
export const PACKET_TABLE = 'faultline_packet';

/**
 * One line (nft runs a line as one atomic transaction): declare the table, flush it, define it.
 * Statements are separated by `;` (nft rejects `} }` without one in between).
 */
function nftTable(table: string, chainBody: readonly string[]): string {
  const chain = ['type filter hook forward priority -10', 'policy accept', ...chainBody].join('; ');
  return `table bridge ${table} {} ; flush table bridge ${table} ; table bridge ${table} { chain links { ${chain}; } ; }`;
}

/** Groups links by destination: one rule per destination with a set of sources. */
function byDestination(links: readonly AddrLink[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of links) m.set(l.to, [...(m.get(l.to) ?? []), l.from]);
  return m;
}

/** A bridge table dropping every packet on the given links (addresses). */
export function nftPartition(links: readonly AddrLink[]): string {
  const body = [...byDestination(links)].map(([to, froms]) => `ip daddr ${to} ip saddr { ${froms.join(', ')} } counter drop`);
  return nftTable(PARTITION_TABLE, body);
}

/** A bridge table dropping each packet on the links with probability `loss` (resolution 1e-4). */
export function nftLoss(links: readonly AddrLink[], loss: number): string {
  const n = Math.round(loss * 10000);
  const body = [...byDestination(links)].map(
    ([to, froms]) => `ip daddr ${to} ip saddr { ${froms.join(', ')} } numgen random mod 10000 < ${n} counter drop`,
  );
  return nftTable(PACKET_TABLE, body);
}

export const DUP_CHAIN = 'FAULTLINE-DUP';
/**
 * A topology's WAN delays: in the mangle table, so a packet held there still meets the packet
 * faults' delay chain in the filter table after it (the two delays add up).
 */
export const WAN_CHAIN = 'FAULTLINE-WAN';
export const DELAY_CHAIN = 'FAULTLINE-DELAY';
export const PART_CHAIN = 'FAULTLINE-PART';
export const LOSS_CHAIN = 'FAULTLINE-LOSS';

/**
 * iptables-restore --noflush input: (re)creates `chain` in `table` with `rules`, and hooks it into
 * `hook` with one jump. Apply only after removing the previous jump (see iptablesUnhook).
 */
export function iptablesChain(table: string, chain: string, hook: string, rules: readonly string[]): string {
  return [`*${table}`, `:${chain} - [0:0]`, ...rules.map((r) => `-A ${chain} ${r}`), `-I ${hook} 1 -j ${chain}`, 'COMMIT', ''].join('\n');
}

/** Shell script that removes the jump and the chain; harmless when they do not exist. */
export function iptablesUnhook(table: string, chain: string, hook: string): string {
  return [
    `while iptables -w -t ${table} -D ${hook} -j ${chain} 2>/dev/null; do :; done`,
    `iptables -w -t ${table} -F ${chain} 2>/dev/null`,
    `iptables -w -t ${table} -X ${chain} 2>/dev/null`,
    'true',
  ].join('; ');
}

/** Duplication on the sender: TEE a copy of each packet to `to` with probability p. */
export function dupRules(toAddrs: readonly string[], p: number): string[] {
  return toAddrs.map((to) => `-d ${to}/32 -m statistic --mode random --probability ${p.toFixed(4)} -j TEE --gateway ${to}`);
}

/** Sends the links' packets to an NFQUEUE (the delayer); bypass keeps traffic flowing if it dies. */
export function delayRules(links: readonly AddrLink[], queue: number): string[] {
  return links.map((l) => `-s ${l.from}/32 -d ${l.to}/32 -j NFQUEUE --queue-num ${queue} --queue-bypass`);
}

/** Per-host partition (Jepsen style): drop everything from these sources on INPUT. */
export function dropFromRules(fromAddrs: readonly string[]): string[] {
  return fromAddrs.map((from) => `-s ${from}/32 -j DROP`);
}

/** Per-host loss on INPUT from these sources with probability p. */
export function lossFromRules(fromAddrs: readonly string[], p: number): string[] {
  return fromAddrs.map((from) => `-s ${from}/32 -m statistic --mode random --probability ${p.toFixed(4)} -j DROP`);
}

/**
 * tc batch for one egress device: an HTB root whose default class is unlimited, plus one class
 * per peer address limited to `rateKbit`, selected by a u32 match on the packet's source (traffic
 * arriving from that peer) or destination (traffic sent to it).
 */
export function tcRateBatch(dev: string, peers: readonly string[], rateKbit: number, match: 'src' | 'dst' = 'src'): string {
  const lines = [
    `qdisc add dev ${dev} root handle 1: htb default 1`,
    `class add dev ${dev} parent 1: classid 1:1 htb rate 10gbit`,
  ];
  peers.forEach((peer, i) => {
    const id = (0x10 + i).toString(16);
    lines.push(`class add dev ${dev} parent 1: classid 1:${id} htb rate ${rateKbit}kbit ceil ${rateKbit}kbit`);
    lines.push(`filter add dev ${dev} parent 1: protocol ip prio 1 u32 match ip ${match} ${peer}/32 flowid 1:${id}`);
  });
  return lines.join('\n') + '\n';
}
