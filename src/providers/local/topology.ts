/**
 * Builds the local topology (measured recipe): a switch namespace holding bridge br0; per node a
 * namespace whose veth is created inside the switch namespace with its peer landing in the node
 * as eth0 (deterministic MAC, so re-created nodes are reachable at once); one controller veth in
 * the root namespace plugged into the bridge. Also the route-conflict preflight.
 */
import { UsageError } from '../../core/errors.ts';
import { run } from '../../control/run.ts';
import type { LocalLayout } from './layout.ts';

function ip(ns: string | undefined, lines: readonly string[]): Promise<unknown> {
  const input = lines.join('\n') + '\n';
  return run(ns ? ['ip', '-n', ns, '-batch', '-'] : ['ip', '-batch', '-'], { input });
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Whether two CIDR blocks overlap. */
export function cidrOverlap(a: string, b: string): boolean {
  const [aa, al = '32'] = a.split('/');
  const [ba, bl = '32'] = b.split('/');
  const len = Math.min(Number(al), Number(bl));
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(aa as string) & mask) >>> 0) === ((ipv4ToInt(ba as string) & mask) >>> 0);
}

/** Refuses when the root namespace already routes our subnet through another device. */
export async function checkRouteConflicts(layout: LocalLayout): Promise<void> {
  const r = await run(['ip', '-j', '-4', 'route', 'show', 'table', 'all']);
  const routes = JSON.parse(r.stdout || '[]') as { dst?: string; dev?: string; type?: string }[];
  for (const route of routes) {
    if (!route.dst || route.dst === 'default' || route.dev === layout.ctlLink) continue;
    if (route.type && route.type !== 'unicast') continue;
    if (cidrOverlap(route.dst, layout.cidr)) {
      // A crashed local run's controller veth is named <prefix>-ctl.
      const prefix = /^([a-z][a-z0-9]{0,9})-ctl$/.exec(route.dev ?? '')?.[1];
      const leftover = prefix ? `, or \`faultline cleanup --prefix ${prefix}\` if run ${prefix} crashed` : '';
      throw new UsageError(`subnet ${layout.cidr} is already routed via ${route.dev ?? '?'} (${route.dst}): pick another subnet with --opt local.subnet=A.B.C.0/24${leftover}`);
    }
  }
}

export async function buildTopology(layout: LocalLayout): Promise<void> {
  const sw = layout.switchNs;
  await run(['ip', 'netns', 'add', sw]);
  await ip(sw, ['link set lo up', `link add ${layout.bridge} type bridge`, `link set ${layout.bridge} up`]);
  for (const n of layout.nodes) await run(['ip', 'netns', 'add', n.netns]);
  await ip(
    sw,
    layout.nodes.flatMap((n) => [
      `link add ${n.port} type veth peer name eth0 address ${n.mac} netns ${n.netns}`,
      `link set ${n.port} master ${layout.bridge} up`,
    ]),
  );
  await Promise.all(
    layout.nodes.map((n) => ip(n.netns, ['link set lo up', `addr add ${n.address}/24 dev eth0`, 'link set eth0 up'])),
  );
  await ip(undefined, [
    `link add ${layout.ctlLink} address ${layout.ctlMac} type veth peer name ${layout.ctlPort} netns ${sw}`,
    `addr add ${layout.ctlAddress}/24 dev ${layout.ctlLink}`,
    `link set ${layout.ctlLink} up`,
  ]);
  await ip(sw, [`link set ${layout.ctlPort} master ${layout.bridge} up`]);
}
