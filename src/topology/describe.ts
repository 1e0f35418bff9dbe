/**
 * A topology in words, for `faultline list`, the run log and the report: where the nodes are and
 * what each WAN link adds, e.g. `us-east ↔ eu-west 80 ms RTT (60 → / 20 ←), jitter 4 ms`.
 */
import type { WanLink } from '../core/topology.ts';

function ms(x: number): string {
  return `${Number.isInteger(x) ? x : x.toFixed(1)} ms`;
}

/** The round trip of a link (without jitter), ms. */
export function linkRttMs(l: WanLink): number {
  return l.oneWayMs[0] + l.oneWayMs[1];
}

/** One line per link. */
export function describeLink(l: WanLink): string {
  const [a, b] = l.between;
  const asym = l.oneWayMs[0] !== l.oneWayMs[1] ? ` (${ms(l.oneWayMs[0])} ${a} → ${b}, ${ms(l.oneWayMs[1])} back)` : '';
  return `${a} ↔ ${b} ${ms(linkRttMs(l))} RTT${asym}${l.jitterMs > 0 ? `, jitter up to ${ms(l.jitterMs)} each way` : ''}`;
}

/** Regions and their nodes: `us-east n1,n2 · eu-west n3` (regions without nodes: just the name). */
export function describeRegions(regions: readonly { readonly name: string; readonly nodes?: readonly string[] }[]): string {
  return regions.map((r) => (r.nodes ? `${r.name} ${r.nodes.join(',')}` : r.name)).join(' · ');
}
