// The local layout is a pure function of (prefix, subnet, node count): names, addresses and MACs
// are deterministic, two subnets never share addresses or MACs, and bad values are refused with
// one-line usage errors. Also the subnet-overlap test used by the route preflight.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { isRunNamespace, localLayout } from './layout.ts';
import { cidrOverlap } from './topology.ts';
import { findCgroupRoot } from './cgroups.ts';

describe('localLayout', () => {
  it('derives names, addresses and MACs', () => {
    const l = localLayout({ prefix: 'fl', subnet: '10.213.7.0/24', nodes: 3 });
    expect(l.nodes.map((n) => [n.name, n.netns, n.address, n.mac, n.port])).toEqual([
      ['n1', 'fl-n1', '10.213.7.11', '02:0a:d5:07:00:0b', 'n1'],
      ['n2', 'fl-n2', '10.213.7.12', '02:0a:d5:07:00:0c', 'n2'],
      ['n3', 'fl-n3', '10.213.7.13', '02:0a:d5:07:00:0d', 'n3'],
    ]);
    expect([l.switchNs, l.ctlLink, l.ctlAddress, l.ctlMac, l.cidr]).toEqual(['fl-sw', 'fl-ctl', '10.213.7.1', '02:0a:d5:07:00:01', '10.213.7.0/24']);
    expect(localLayout({}).nodes).toHaveLength(5);
  });

  it('different subnets never collide in addresses or MACs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (a, b) => {
        fc.pre(a !== b);
        const x = localLayout({ subnet: `10.213.${a}.0/24` });
        const y = localLayout({ subnet: `10.213.${b}.0/24` });
        const ids = (l: typeof x) => [l.ctlMac, l.ctlAddress, ...l.nodes.flatMap((n) => [n.mac, n.address])];
        expect(ids(x).filter((v) => ids(y).includes(v))).toEqual([]);
      }),
    );
  });

  it('refuses bad prefixes, subnets and sizes with a UsageError', () => {
    for (const bad of [{ prefix: 'Fl' }, { prefix: 'a-b' }, { prefix: 'abcdefghijk' }, { subnet: '8.8.8.0/24' }, { subnet: '10.0.0.0/16' }, { subnet: '10.0.0.1/24' }, { nodes: 0 }, { nodes: 201 }, { nodes: 2.5 }]) {
      expect(() => localLayout(bad)).toThrow(UsageError);
    }
  });

  it('recognises only its own namespaces', () => {
    expect(isRunNamespace('fl', 'fl-n12')).toBe(true);
    expect(isRunNamespace('fl', 'fl-sw')).toBe(true);
    expect(isRunNamespace('fl', 'flx-n1')).toBe(false);
    expect(isRunNamespace('fl', 'fl-ctl')).toBe(false);
  });
});

describe('cidrOverlap', () => {
  it('detects overlapping blocks either way', () => {
    expect(cidrOverlap('10.213.0.0/24', '10.213.0.0/24')).toBe(true);
    expect(cidrOverlap('10.0.0.0/8', '10.213.0.0/24')).toBe(true);
    expect(cidrOverlap('10.213.0.77', '10.213.0.0/24')).toBe(true);
    expect(cidrOverlap('10.213.1.0/24', '10.213.0.0/24')).toBe(false);
    expect(cidrOverlap('192.168.0.0/16', '10.213.0.0/24')).toBe(false);
  });
});

describe('findCgroupRoot', () => {
  it('prefers cgroup2, then the v1 freezer', async () => {
    const hybrid = 'cgroup /sys/fs/cgroup/freezer cgroup rw,freezer 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
    expect(await findCgroupRoot(hybrid)).toEqual({ kind: 'cgroup2', mount: '/sys/fs/cgroup/unified' });
    expect(await findCgroupRoot('cgroup /sys/fs/cgroup/freezer cgroup rw,relatime,freezer 0 0\n')).toEqual({ kind: 'freezer-v1', mount: '/sys/fs/cgroup/freezer' });
    expect(await findCgroupRoot('proc /proc proc rw 0 0\n')).toBeUndefined();
  });
});
