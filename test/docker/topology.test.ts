// Topologies on a real 5-node docker cluster: the provider's WAN delays (the NFQUEUE delay helper
// built in each receiving container, one per distinct delay, fed from a mangle chain of its own)
// make round trips between containers of different regions match the profile's matrix, leave
// containers of one region alone, make an asymmetric link slower one way than the other, and
// leave nothing behind when healed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext, type RunContext } from '../../src/core/context.ts';
import type { Topology } from '../../src/core/topology.ts';
import { WAN_CHAIN } from '../../src/net/rules.ts';
import { dockerLeftovers } from '../../src/providers/docker/cleanup.ts';
import { type DockerCluster, dockerClient, dockerProvider } from '../../src/providers/docker/provider.ts';
import { runContext } from '../../src/runner/context.ts';
import { linkRttMs } from '../../src/topology/describe.ts';
import { loadTopology } from '../../src/topology/load.ts';
import { PORT, PROBE, ask, probeDb } from '../local/helpers.ts';
import { GATE, SKIP, requireDocker } from './helpers.ts';

const PREFIX = 'fdtp';
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
/** What the fastest of a few packets may take beyond the configured delay (the helper's queue hop, the engine's bridge). */
const SLACK_MS = 25;

/**
 * Nine TCP connect times (ms, sorted) from container `from` to the probe on `to`. A loaded machine
 * only ever adds to them (the delay helpers are user-space processes), so the median is held to
 * the lower bound and the fastest to the upper one.
 */
async function connectTimes(cluster: DockerCluster, from: string, to: string): Promise<number[]> {
  const addr = cluster.nodes.find((n) => n.name === to)!.address;
  const r = await cluster.remote(from).exec([process.execPath, PROBE, 'rtt', `${addr}:${PORT}`, '9']);
  return (JSON.parse(r.stdout) as number[]).sort((a, b) => a - b);
}

/** Fifteen one-way datagram times (ms, sorted) from container `from` to `to`, timed by the probe there. */
async function oneWayTimes(cluster: DockerCluster, from: string, to: string): Promise<number[]> {
  const [src, dst] = [from, to].map((n) => cluster.nodes.find((x) => x.name === n)!.address) as [string, string];
  const before = (await ask(dst))?.oneway[src]?.length ?? 0;
  await cluster.remote(from).exec([process.execPath, PROBE, 'oneway', `${dst}:${PORT}`, '15']);
  await new Promise((r) => setTimeout(r, 300));
  const times = ((await ask(dst))?.oneway[src] ?? []).slice(before).sort((a, b) => a - b);
  if (times.length === 0) throw new Error(`no timestamped datagram from ${from} reached ${to}`);
  return times;
}

const median = (xs: readonly number[]): number => xs[Math.floor(xs.length / 2)]!;

describe.skipIf(SKIP)(`topologies on a docker cluster (${GATE})`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'faultline-docker-topology-'));
  const provider = dockerProvider({ prefix: PREFIX, subnet: '10.231.2.0/24', nodes: 5, shared: [work] });
  let cluster: DockerCluster;
  let topology: Topology;
  const db = probeDb(path.join(work, 'logs'));
  const ctx = (): RunContext => runContext({ cluster, db, runDir: work });
  const rtt = (a: string, b: string): { rttMs: number; jitterMs: number } => {
    const ra = topology.regions.find((r) => r.nodes.includes(a))!.name;
    const rb = topology.regions.find((r) => r.nodes.includes(b))!.name;
    const l = topology.links.find((x) => x.between.includes(ra) && x.between.includes(rb))!;
    return { rttMs: linkRttMs(l), jitterMs: l.jitterMs };
  };
  const wanRules = async (node: string): Promise<string> => (await cluster.ctl(node).exec(['iptables', '-t', 'mangle', '-S'])).stdout;

  beforeAll(async () => {
    requireDocker();
    cluster = (await provider.up()) as DockerCluster;
    await Promise.all(cluster.nodes.map((n) => db.setup(nodeContext(ctx(), n))));
    topology = await loadTopology('three-regions', NODES);
    await cluster.net.wan!(topology);
  }, 180_000);

  afterAll(async () => {
    await cluster?.net.healWan?.();
    await provider.down();
    rmSync(work, { recursive: true, force: true });
    expect(await dockerLeftovers(dockerClient(), PREFIX)).toEqual([]);
  }, 120_000);

  it('round trips between containers of different regions match the matrix; within a region nothing is added', async () => {
    expect(topology.regions.map((r) => [r.name, r.nodes])).toEqual([
      ['us-east', ['n1', 'n2']],
      ['us-central', ['n3', 'n4']],
      ['eu-west', ['n5']],
    ]);
    for (const [a, b] of [['n1', 'n3'], ['n4', 'n2'], ['n2', 'n5'], ['n5', 'n3']] as const) {
      const want = rtt(a, b);
      const times = await connectTimes(cluster, a, b);
      console.log(`${a} -> ${b}: round trip median ${median(times).toFixed(1)} ms, fastest ${times[0]!.toFixed(1)} ms (profile ${want.rttMs} ms, jitter ${want.jitterMs} ms)`);
      expect(median(times), `${a} -> ${b}`).toBeGreaterThanOrEqual(want.rttMs - 1);
      expect(times[0]!, `${a} -> ${b}`).toBeGreaterThanOrEqual(want.rttMs - 2 * want.jitterMs - 1);
      expect(times[0]!, `${a} -> ${b}`).toBeLessThan(want.rttMs + 2 * want.jitterMs + SLACK_MS);
    }
    expect((await connectTimes(cluster, 'n1', 'n2'))[0]!).toBeLessThan(10);
    expect((await connectTimes(cluster, 'n3', 'n4'))[0]!).toBeLessThan(10);
    // The receiving container queues each sender of another region to the helper of that link's delay.
    expect(await wanRules('n5')).toContain(`-A ${WAN_CHAIN} -s 10.231.2.11/32 -d 10.231.2.15/32 -j NFQUEUE`);
    expect(await wanRules('n5')).not.toContain('-s 10.231.2.15/32');
  }, 120_000);

  it('an asymmetric link is slower one way than the other', async () => {
    const asym = await loadTopology('two-regions-asym', NODES);
    await cluster.net.wan!(asym);
    topology = asym;
    // us-east n1,n2,n3 and eu-west n4,n5: 60 ms east to west, 20 ms back, jitter below 4 ms.
    const west = await oneWayTimes(cluster, 'n1', 'n4');
    const east = await oneWayTimes(cluster, 'n4', 'n1');
    console.log(`two-regions-asym: n1 -> n4 one way median ${median(west).toFixed(1)} ms (profile 60), n4 -> n1 ${median(east).toFixed(1)} ms (profile 20)`);
    expect(median(west)).toBeGreaterThanOrEqual(59);
    expect(west[0]!).toBeLessThan(60 + 4 + SLACK_MS);
    expect(median(east)).toBeGreaterThanOrEqual(19);
    expect(east[0]!).toBeLessThan(20 + 4 + SLACK_MS);
    expect(median(east)).toBeLessThan(median(west));
    expect((await oneWayTimes(cluster, 'n1', 'n2'))[0]!).toBeLessThan(10);
  }, 120_000);

  it('healing the WAN removes its rules and helpers; round trips are LAN again', async () => {
    const helpers = async (node: string): Promise<string[]> => (await cluster.ctl(node).exec(['ps', '-eo', 'args'])).stdout.split('\n').filter((l) => l.includes('nfq'));
    expect((await helpers('n4')).length).toBeGreaterThan(0);
    await cluster.net.healWan!();
    for (const n of NODES) expect(await wanRules(n), n).not.toContain(WAN_CHAIN);
    for (const n of NODES) expect(await helpers(n), n).toEqual([]);
    expect((await connectTimes(cluster, 'n1', 'n5'))[0]!).toBeLessThan(10);
  }, 120_000);
});
