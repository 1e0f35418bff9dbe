// The reference stores' disk on the fault filesystem, mounted over the data directory as a run
// mounts it: in fsync mode every flushed record and the state survive a power loss; in unsynced
// mode (the raft lazy-fsync bug) a restarted process finds everything (nothing was kept in the
// process), but a power loss takes it all.
import { afterAll, describe, expect, it } from 'vitest';
import { FAULTFS_SKIP, unmountLeftovers, withFaultFs } from '../../disk/test-fixture.ts';
import { FileStorage, type SyncMode } from './file-storage.ts';

const cmd = (n: number) => ({ kind: 'req', req: { f: 'write', key: 'k', value: n } });
const RECORDS = [1, 2].map(n => ({ term: 1, command: cmd(n) }));

/** Opens the storage, runs `fn` on it, and closes it whatever happens (as a process exit would). */
async function withStorage(dir: string, mode: SyncMode, fn: (s: FileStorage) => Promise<void> | void): Promise<void> {
  const s = FileStorage.open(dir, {
    mode,
    onFatal: err => {
      throw err;
    },
  });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Appends two entries and a vote and waits for the flush that acknowledges them. */
async function writeSome(s: FileStorage): Promise<void> {
  s.append(RECORDS);
  s.saveState({ term: 1, votedFor: 'n2' });
  await new Promise<void>(resolve => s.flush(resolve));
}

describe.skipIf(FAULTFS_SKIP !== undefined)(`FileStorage under a power loss (${FAULTFS_SKIP ?? 'root, /dev/fuse, libfuse3'})`, () => {
  afterAll(async () => {
    expect(await unmountLeftovers()).toEqual([]);
  });

  it('fsync mode: what a flush acknowledged survives the power loss', () =>
    withFaultFs(async (ffs, dir) => {
      await withStorage(dir, 'fsync', async s => {
        await writeSome(s);
        await ffs.apply({ kind: 'power-loss' });
      });
      await withStorage(dir, 'fsync', s => {
        expect(s.load()).toEqual({ state: { term: 1, votedFor: 'n2' }, log: RECORDS });
      });
    }));

  it('unsynced mode: a restart finds every acknowledged record, a power loss finds none', () =>
    withFaultFs(async (ffs, dir) => {
      await withStorage(dir, 'unsynced', writeSome);
      await withStorage(dir, 'unsynced', s => {
        expect(s.load()).toEqual({ state: { term: 1, votedFor: 'n2' }, log: RECORDS });
      });
      expect((await ffs.status()).unsyncedBytes).toBeGreaterThan(0);
      await ffs.apply({ kind: 'power-loss' });
      await withStorage(dir, 'unsynced', s => {
        expect(s.load()).toEqual({ state: undefined, log: [] });
      });
    }));
});
