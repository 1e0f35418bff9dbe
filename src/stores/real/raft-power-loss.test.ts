// The Raft reference store as real processes on 127.0.0.1, each node's data directory on a fault
// filesystem: with lazy-fsync, acknowledged writes survive killing every node but not killing
// every node and cutting its power; the correct store keeps them through both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTROLLER_HOST } from '../../control/host-build.ts';
import { mountFaultFs, type FaultFs } from '../../disk/faultfs.ts';
import { FAULTFS_SKIP, TEST_TAG, unmountLeftovers } from '../../disk/test-fixture.ts';
import { StoreClient } from '../client.ts';
import { LocalCluster } from '../local-cluster.ts';

const NODES = ['n1', 'n2', 'n3'];

/** Appends 0..count-1 to list `l` through the leader; returns the values acknowledged. */
async function appendSome(cluster: LocalCluster, from: number, count: number): Promise<number[]> {
  const client = new StoreClient(cluster.address(await cluster.waitForLeader()));
  const acked: number[] = [];
  try {
    for (let v = from; v < from + count; v++) if ((await client.txn([['append', 'l', v]])).type === 'ok') acked.push(v);
  } finally {
    client.close();
  }
  return acked;
}

/** Restarts every node and reads `l` from the new leader. */
async function restartAndRead(cluster: LocalCluster): Promise<Set<number>> {
  for (const id of cluster.ids) cluster.startNode(id);
  const client = new StoreClient(cluster.address(await cluster.waitForLeader()));
  try {
    const read = await client.read('l');
    return new Set((read.value as number[] | null) ?? []);
  } finally {
    client.close();
  }
}

/** Kills every node (SIGKILL), cutting their power too when `mounts` are given. */
async function crash(cluster: LocalCluster, mounts?: readonly FaultFs[]): Promise<void> {
  await Promise.all(cluster.ids.map((id) => cluster.stopNode(id, 'SIGKILL')));
  for (const m of mounts ?? []) await m.apply({ kind: 'power-loss' });
}

describe.skipIf(FAULTFS_SKIP !== undefined)(`raft on fault filesystems (${FAULTFS_SKIP ?? 'root, /dev/fuse, libfuse3'})`, () => {
  afterAll(async () => {
    expect(await unmountLeftovers()).toEqual([]);
  });

  for (const bugs of [[], ['lazy-fsync']]) {
    it(`${bugs.length ? 'lazy-fsync loses' : 'the correct store keeps'} acknowledged writes when every node loses power`, async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-raft-faultfs-'));
      const mounts: FaultFs[] = [];
      let cluster: LocalCluster | undefined;
      try {
        for (const id of NODES) mounts.push(await mountFaultFs(CONTROLLER_HOST, { dir: path.join(root, id), tag: `${TEST_TAG}:raft-${id}` }));
        cluster = await LocalCluster.start({ store: 'raft', size: NODES.length, bugs, dataRoot: root });
        const first = await appendSome(cluster, 0, 10);
        expect(first).toHaveLength(10);
        await crash(cluster); // kill -9 only: the page cache survives
        const afterKill = await restartAndRead(cluster);
        expect(first.filter((v) => !afterKill.has(v))).toEqual([]);
        const second = await appendSome(cluster, 10, 10);
        expect(second).toHaveLength(10);
        await crash(cluster, mounts);
        const afterPowerLoss = await restartAndRead(cluster);
        const lost = [...first, ...second].filter((v) => !afterPowerLoss.has(v));
        if (bugs.length) expect(lost.length).toBeGreaterThan(0);
        else expect(lost).toEqual([]);
      } finally {
        await cluster?.destroy();
        for (const m of mounts) await m.unmount();
        fs.rmSync(root, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
