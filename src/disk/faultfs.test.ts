// The fault filesystem on real mounts, seen only through the filesystem: a power loss keeps
// exactly what was fsynced (file data and directory entries), torn writes keep a page-aligned
// prefix, and EIO, ENOSPC, slow and bit-flip faults strike as commanded until heal. Every mount is
// unmounted in `finally`, whatever the test does; a mount whose daemon died is found and unmounted
// by cleanup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTROLLER_HOST, helperOnHost } from '../control/host-build.ts';
import { run } from '../control/run.ts';
import { faultFsMounts, parseReply } from './commands.ts';
import { FAULTFS_SPEC, cleanupFaultFs, mountFaultFs, mountsOn } from './faultfs.ts';
import { probeFaultFs } from './probe.ts';
import { cleanupRun, knownRuns, runLeftovers } from '../providers/local/cleanup.ts';
import { FAULTFS_SKIP, TEST_TAG, fsyncPath, readTree, unmountLeftovers, withFaultFs, writeDurable, writeFsynced, writeUnsynced } from './test-fixture.ts';

const PAGE = 4096;

function errnoOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
}

function readAll(p: string): Buffer {
  return fs.readFileSync(p);
}

describe.skipIf(FAULTFS_SKIP !== undefined)(`fault filesystem (${FAULTFS_SKIP ?? 'root, /dev/fuse, libfuse3'})`, () => {
  afterAll(async () => {
    expect(await unmountLeftovers()).toEqual([]);
  });

  describe('power loss', () => {
    it('drops an unsynced write and keeps a fsynced file and its directory entry', () =>
      withFaultFs(async (ffs, dir) => {
        writeDurable(path.join(dir, 'kept'), 'durable');
        writeUnsynced(path.join(dir, 'lost'), 'never fsynced');
        writeUnsynced(path.join(dir, 'kept'), ' and more', 'a');
        expect(readTree(dir)).toEqual({ kept: 'durable and more', lost: 'never fsynced' });
        const st = await ffs.status();
        expect(st.unsyncedBytes).toBe('never fsynced'.length + ' and more'.length);
        const report = await ffs.apply({ kind: 'power-loss' });
        expect(report).toMatchObject({ droppedBytes: st.unsyncedBytes, files: 2, missing: 0 });
        expect(readTree(dir)).toEqual({ kept: 'durable' });
        expect(await ffs.status()).toMatchObject({ unsyncedBytes: 0, unsyncedFiles: 0, dirtyDirs: 0, parked: 0 });
      }));

    it('strict: a fsynced file is gone when its directory was not fsynced, and stays once it was', () =>
      withFaultFs(async (ffs, dir) => {
        const a = path.join(dir, 'a');
        const writeAndFsync = () => {
          const fd = fs.openSync(a, 'w');
          fs.writeSync(fd, 'data');
          fs.fsyncSync(fd);
          fs.closeSync(fd);
        };
        writeAndFsync();
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({});
        writeAndFsync();
        fsyncPath(dir);
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({ a: 'data' });
      }, 'strict'));

    it('journal: namespace changes are lost when no fsync followed them, durable after any fsync', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        writeDurable(p('x'), 'x');
        writeDurable(p('z'), 'z');
        writeDurable(p('other'), 'other');
        const change = () => {
          writeUnsynced(p('a'), 'unsynced data');
          fs.renameSync(p('x'), p('y'));
          fs.unlinkSync(p('z'));
        };
        change();
        expect((await ffs.status()).dirs).toBe('journal');
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({ other: 'other', x: 'x', z: 'z' });
        change();
        writeFsynced(p('other'), 'fsync of an unrelated file commits them');
        await ffs.apply({ kind: 'power-loss' });
        // The entries are durable; a's data never was.
        expect(readTree(dir)).toEqual({ a: '', other: 'fsync of an unrelated file commits them', y: 'x' });
      }));

    it('puts overwritten, truncated and extended data back to the fsynced content', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        const durable = Buffer.alloc(3 * PAGE + 100, 'x');
        durable.write('head', 0);
        writeDurable(f, durable);
        const fd = fs.openSync(f, 'r+');
        fs.writeSync(fd, Buffer.alloc(500, 'y'), 0, 500, PAGE + 10);
        fs.ftruncateSync(fd, 10);
        fs.writeSync(fd, Buffer.alloc(6 * PAGE, 'z'), 0, 6 * PAGE, 2 * PAGE);
        fs.closeSync(fd);
        expect(fs.statSync(f).size).toBe(8 * PAGE);
        await ffs.apply({ kind: 'power-loss' });
        expect(readAll(f).equals(durable)).toBe(true);
        writeUnsynced(f, 'truncated by O_TRUNC');
        await ffs.apply({ kind: 'power-loss' });
        expect(readAll(f).equals(durable)).toBe(true);
      }));

    it('strict: undoes create, mkdir, rename, rename over a file, unlink and rmdir without a directory fsync', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        fs.mkdirSync(p('gone-dir'));
        writeDurable(p('gone-dir/inner'), 'inner');
        for (const n of ['old', 'doomed', 'target']) writeDurable(p(n), n);
        fsyncPath(dir);
        const before = readTree(dir);
        fs.renameSync(p('old'), p('new'));
        fs.unlinkSync(p('doomed'));
        writeFsynced(p('tmp'), 'replacement');
        fs.renameSync(p('tmp'), p('target'));
        fs.mkdirSync(p('sub'));
        writeDurable(p('sub/x'), 'x'); // durable in sub, but sub itself is not in the root yet
        expect(errnoOf(() => fs.rmdirSync(p('gone-dir')))).toBe('ENOTEMPTY');
        fs.unlinkSync(p('gone-dir/inner'));
        fs.rmdirSync(p('gone-dir'));
        expect(readTree(dir)).toEqual({ new: 'old', target: 'replacement', sub: '<dir>', 'sub/x': 'x' });
        const st = await ffs.status();
        expect(st.parked).toBe(4); // doomed, the old target, inner, gone-dir
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual(before);
        expect(await ffs.status()).toMatchObject({ dirtyDirs: 0, parked: 0, pendingRenames: 0 });
      }, 'strict'));

    it('strict: keeps create, rename and unlink once the directory is fsynced', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        for (const n of ['old', 'doomed', 'target']) writeDurable(p(n), n);
        fs.renameSync(p('old'), p('new'));
        fs.unlinkSync(p('doomed'));
        writeDurable(p('tmp'), 'replacement');
        fs.renameSync(p('tmp'), p('target'));
        fsyncPath(dir);
        const after = readTree(dir);
        expect(after).toEqual({ new: 'old', target: 'replacement' });
        expect((await ffs.status()).parked).toBe(0);
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual(after);
      }, 'strict'));

    it('strict: a rename between directories becomes durable in both when either is fsynced', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        for (const d of ['a', 'b']) fs.mkdirSync(p(d));
        fsyncPath(dir);
        writeDurable(p('a/f1'), 'one');
        writeDurable(p('a/f2'), 'two');
        fs.renameSync(p('a/f1'), p('b/f1'));
        fs.renameSync(p('a/f2'), p('b/f2'));
        expect((await ffs.status()).pendingRenames).toBe(2);
        fsyncPath(p('a')); // the source side commits both renames
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({ a: '<dir>', b: '<dir>', 'b/f1': 'one', 'b/f2': 'two' });
        fs.renameSync(p('b/f1'), p('a/back'));
        fsyncPath(p('a')); // now the destination side commits it
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({ a: '<dir>', 'a/back': 'one', b: '<dir>', 'b/f2': 'two' });
      }, 'strict'));

    it('strict: a move to another directory and back nets out when one side is fsynced', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        fs.mkdirSync(p('e'));
        writeDurable(p('a'), 'a');
        fs.renameSync(p('a'), p('e/a'));
        fs.renameSync(p('e/a'), p('a'));
        fsyncPath(dir);
        const report = await ffs.apply({ kind: 'power-loss' });
        expect(report?.missing).toBe(0);
        expect(readTree(dir)).toEqual({ a: 'a', e: '<dir>' });
      }, 'strict'));

    it('strict: a move out of a directory takes away the name the file has there, even one given since its last fsync', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        for (const d of ['d', 'e']) fs.mkdirSync(p(d));
        fsyncPath(dir);
        writeUnsynced(p('e/a'), 'A');
        fsyncPath(p('e')); // e/a is durable (its data is not)
        fs.renameSync(p('e/a'), p('e/b')); // not durable: e is not fsynced again
        fs.renameSync(p('e/b'), p('d/a'));
        fsyncPath(p('d')); // commits the move, and with it the rename within e before it
        const report = await ffs.apply({ kind: 'power-loss' });
        expect(report?.missing).toBe(0);
        expect(readTree(dir)).toEqual({ d: '<dir>', 'd/a': '', e: '<dir>' });
      }, 'strict'));

    it('strict: a name unlinked while a rename of its inode is pending comes back with that rename', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        for (const d of ['d', 'e']) fs.mkdirSync(p(d));
        fsyncPath(dir);
        writeUnsynced(p('d/a'), '');
        fs.renameSync(p('d/a'), p('b'));
        fs.unlinkSync(p('b')); // kept: the pending rename still names the inode
        writeUnsynced(p('e/b'), '');
        fs.renameSync(p('e/b'), p('a'));
        fsyncPath(p('d')); // commits d/a -> b: b is durable in the root, its unlink is not
        fsyncPath(p('e')); // commits e/b -> a
        const report = await ffs.apply({ kind: 'power-loss' });
        expect(report?.missing).toBe(0);
        expect(readTree(dir)).toEqual({ a: '', b: '', d: '<dir>', e: '<dir>' });
        expect(fs.statSync(p('a')).ino).not.toBe(fs.statSync(p('b')).ino);
      }, 'strict'));

    it('strict: a directory emptied and removed for good takes its own pending changes with it', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        fs.mkdirSync(p('d'));
        fsyncPath(dir);
        writeUnsynced(p('d/a'), 'a');
        fsyncPath(p('d'));
        fs.unlinkSync(p('d/a'));
        fs.rmdirSync(p('d'));
        fsyncPath(dir); // d is gone for good, and so is what d still had to restore
        expect((await ffs.status()).parked).toBe(0);
        const report = await ffs.apply({ kind: 'power-loss' });
        expect(report).toMatchObject({ missing: 0, dirs: 0 });
        expect(readTree(dir)).toEqual({});
      }, 'strict'));

    it('strict: a new hard link is undone like any new name; an unlinked durable one comes back to the same inode', () =>
      withFaultFs(async (ffs, dir) => {
        const p = (n: string) => path.join(dir, n);
        writeDurable(p('a'), 'data');
        fs.linkSync(p('a'), p('b'));
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({ a: 'data' });
        fs.linkSync(p('a'), p('b'));
        fsyncPath(dir);
        fs.unlinkSync(p('a'));
        expect(fs.statSync(p('b')).nlink).toBe(2); // the parked name still counts
        await ffs.apply({ kind: 'power-loss' });
        expect(readTree(dir)).toEqual({ a: 'data', b: 'data' });
        expect(fs.statSync(p('a')).ino).toBe(fs.statSync(p('b')).ino);
      }, 'strict'));

    it('gives the kernel fresh data for a file still open across the power loss', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'open');
        writeDurable(f, 'AAAA');
        const fd = fs.openSync(f, 'r+');
        try {
          fs.writeSync(fd, 'BBBBBBBB', 0);
          const buf = Buffer.alloc(16);
          expect(buf.subarray(0, fs.readSync(fd, buf, 0, 16, 0)).toString()).toBe('BBBBBBBB');
          await ffs.apply({ kind: 'power-loss' });
          expect(buf.subarray(0, fs.readSync(fd, buf, 0, 16, 0)).toString()).toBe('AAAA');
          expect(fs.fstatSync(fd).size).toBe(4);
        } finally {
          fs.closeSync(fd);
        }
      }));

    it('torn: the last write of each file keeps a page-aligned prefix of 1..n-1 pages', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'log');
        const head = Buffer.alloc(PAGE + 300, 'h');
        writeDurable(f, head);
        const fd = fs.openSync(f, 'r+');
        fs.writeSync(fd, Buffer.alloc(100, 'e'), 0, 100, 50); // an earlier write: lost
        const last = Buffer.alloc(5 * PAGE, 'w');
        const at = head.length + PAGE; // not adjacent to the earlier write
        fs.writeSync(fd, last, 0, last.length, at);
        fs.closeSync(fd);
        const report = await ffs.apply({ kind: 'power-loss', torn: true, seed: 7 });
        expect(report?.tornCount).toBe(1);
        const t = report!.torn[0]!;
        expect(t).toMatchObject({ path: 'log', offset: at, length: last.length });
        expect((at + t.kept) % PAGE).toBe(0);
        expect(t.kept).toBeGreaterThan(0);
        expect(t.kept).toBeLessThan(last.length);
        const after = readAll(f);
        // the durable head, a hole where nothing durable was, then the kept prefix
        expect(after.length).toBe(at + t.kept);
        expect(after.subarray(0, head.length).equals(head)).toBe(true);
        expect(after.subarray(head.length, at).every((b) => b === 0)).toBe(true);
        expect(after.subarray(at).every((b) => b === 'w'.charCodeAt(0))).toBe(true);
        expect((await ffs.status()).applied.torn).toBe(1);
      }));

    it('torn writes keep different prefixes for different seeds, and a one-page write is never torn', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        const small = path.join(dir, 'small');
        const keptBySeed = new Set<number>();
        for (let seed = 1; seed <= 12; seed++) {
          writeDurable(f, '');
          writeDurable(small, '');
          writeUnsynced(f, Buffer.alloc(8 * PAGE, 'w'), 'r+');
          writeUnsynced(small, Buffer.alloc(100, 's'), 'r+');
          const report = await ffs.apply({ kind: 'power-loss', torn: true, seed });
          expect(report?.tornCount).toBe(1);
          keptBySeed.add(report!.torn[0]!.kept);
          expect(fs.statSync(f).size).toBe(report!.torn[0]!.kept);
          expect(fs.statSync(small).size).toBe(0);
        }
        expect(keptBySeed.size).toBeGreaterThan(1);
        for (const k of keptBySeed) expect(k % PAGE === 0 && k >= PAGE && k <= 7 * PAGE).toBe(true);
      }));
  });

  describe('faults', () => {
    it('eio: fails reads of the matching paths only, until heal', () =>
      withFaultFs(async (ffs, dir) => {
        writeDurable(path.join(dir, 'a.dat'), 'A');
        writeDurable(path.join(dir, 'b.txt'), 'B');
        fs.readFileSync(path.join(dir, 'a.dat')); // now in the kernel's page cache
        await ffs.apply({ kind: 'eio', ops: ['read'], path: '*.dat' });
        expect(errnoOf(() => fs.readFileSync(path.join(dir, 'a.dat')))).toBe('EIO');
        expect(fs.readFileSync(path.join(dir, 'b.txt'), 'utf8')).toBe('B');
        writeUnsynced(path.join(dir, 'a.dat'), 'writes still work');
        const st = await ffs.status();
        expect(st.faults.eio).toEqual({ ops: ['read'], rate: 1, path: '*.dat' });
        expect(st.applied.eio).toBeGreaterThanOrEqual(1);
        await ffs.heal();
        expect(fs.readFileSync(path.join(dir, 'a.dat'), 'utf8')).toBe('writes still work');
      }));

    it('eio on fsync: the fsync fails and makes nothing durable', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        writeDurable(f, 'old');
        await ffs.apply({ kind: 'eio', ops: ['fsync'] });
        const fd = fs.openSync(f, 'w');
        fs.writeSync(fd, 'new');
        expect(errnoOf(() => fs.fsyncSync(fd))).toBe('EIO');
        fs.closeSync(fd);
        expect(errnoOf(() => fsyncPath(dir))).toBe('EIO');
        await ffs.apply({ kind: 'power-loss' });
        expect(fs.readFileSync(f, 'utf8')).toBe('old');
      }));

    it('eio at a rate fails about that fraction of the ops, reproducibly for a seed', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        writeDurable(f, 'x');
        const failures = async (seed: number) => {
          await ffs.apply({ kind: 'eio', ops: ['fsync'], rate: 0.5, seed });
          const fd = fs.openSync(f, 'r');
          const pattern = Array.from({ length: 200 }, () => (errnoOf(() => fs.fsyncSync(fd)) === 'EIO' ? 1 : 0));
          fs.closeSync(fd);
          return pattern.join('');
        };
        const first = await failures(42);
        const ones = [...first].filter((c) => c === '1').length;
        expect(ones).toBeGreaterThan(50);
        expect(ones).toBeLessThan(150);
        expect(await failures(42)).toBe(first);
      }));

    it('enospc: writes stop after the budget (the crossing one short), new entries fail, heal gives space back', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        writeDurable(f, '');
        await ffs.apply({ kind: 'enospc', bytes: 10_000 });
        const fd = fs.openSync(f, 'r+');
        try {
          expect(fs.writeSync(fd, Buffer.alloc(8192, 1), 0, 8192, 0)).toBe(8192);
          expect(fs.writeSync(fd, Buffer.alloc(4096, 2), 0, 4096, 8192)).toBe(10_000 - 8192);
          expect(errnoOf(() => fs.writeSync(fd, Buffer.alloc(10, 3), 0, 10, 10_000))).toBe('ENOSPC');
          expect(errnoOf(() => fs.writeFileSync(path.join(dir, 'new'), 'x'))).toBe('ENOSPC');
          expect(errnoOf(() => fs.mkdirSync(path.join(dir, 'newdir')))).toBe('ENOSPC');
          expect(fs.statfsSync(dir).bavail).toBe(0);
          const st = await ffs.status();
          expect(st.faults.enospc).toEqual({ remaining: 0 });
          expect(st.applied.enospc).toBeGreaterThanOrEqual(3);
          await ffs.heal();
          expect(fs.writeSync(fd, Buffer.alloc(10, 3), 0, 10, 10_000)).toBe(10);
          fs.writeFileSync(path.join(dir, 'new'), 'x');
        } finally {
          fs.closeSync(fd);
        }
        expect(fs.statSync(f).size).toBe(10_010);
      }));

    it('slow: every covered op is delayed by the latency drawn, as counted by the daemon', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        writeDurable(f, 'x');
        await ffs.apply({ kind: 'slow', ops: ['fsync'], latency: { dist: 'fixed', ms: 3 } });
        const fd = fs.openSync(f, 'r+');
        for (let i = 0; i < 5; i++) {
          fs.writeSync(fd, 'y', 0);
          fs.fsyncSync(fd);
        }
        fs.closeSync(fd);
        let st = await ffs.status();
        expect(st.faults.slow).toEqual({ ops: ['fsync'], dist: 'fixed', a: 3, b: 0 });
        expect(st.applied).toMatchObject({ slow: 5, slowMs: 15 });
        await ffs.apply({ kind: 'slow', latency: { dist: 'uniform', minMs: 1, maxMs: 2 }, seed: 3 });
        writeDurable(f, 'z');
        st = await ffs.status();
        expect(st.applied.slow).toBe(8); // write, fsync and directory fsync (write and fsync by default)
        await ffs.heal();
        writeDurable(f, 'w');
        expect((await ffs.status()).applied.slow).toBe(8);
      }));

    it('flip: reads come back with one bit flipped while the disk keeps the data', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'zeros');
        writeDurable(f, Buffer.alloc(3000));
        expect(readAll(f).every((b) => b === 0)).toBe(true);
        await ffs.apply({ kind: 'flip', rate: 1, seed: 11 });
        const bits = (b: Buffer) => b.reduce((n, x) => n + x.toString(2).split('1').length - 1, 0);
        expect(bits(readAll(f))).toBe(1);
        expect((await ffs.status()).applied.flip).toBeGreaterThanOrEqual(1);
        await ffs.heal();
        expect(readAll(f).every((b) => b === 0)).toBe(true);
      }));

    it('heal ends every fault at once', () =>
      withFaultFs(async (ffs, dir) => {
        const f = path.join(dir, 'f');
        writeDurable(f, 'data');
        await ffs.apply({ kind: 'eio', ops: ['read'] });
        await ffs.apply({ kind: 'slow', latency: { dist: 'exp', meanMs: 1 } });
        await ffs.apply({ kind: 'enospc', bytes: 0 });
        await ffs.apply({ kind: 'flip' });
        expect(Object.values((await ffs.status()).faults).every((v) => v !== null)).toBe(true);
        await ffs.heal();
        expect((await ffs.status()).faults).toEqual({ eio: null, slow: null, enospc: null, flip: null });
        expect(fs.readFileSync(f, 'utf8')).toBe('data');
        writeDurable(f, 'more data');
        expect(fs.readFileSync(f, 'utf8')).toBe('more data');
      }));

    it('refuses a malformed command with the reason, on the controller and in the daemon', () =>
      withFaultFs(async (ffs) => {
        await expect(ffs.apply({ kind: 'eio', rate: 2 })).rejects.toThrow(/rate must be in \[0, 1\]/);
        const bin = await helperOnHost(CONTROLLER_HOST, FAULTFS_SPEC);
        const r = await run([bin, 'ctl', ffs.socket, 'eio', 'rate=2'], { check: false });
        expect(r.exitCode).toBe(1);
        expect(() => parseReply(r.stdout)).toThrow('faultfs: rate=2: at most 1');
        const unknown = await run([bin, 'ctl', ffs.socket, 'melt'], { check: false });
        expect(() => parseReply(unknown.stdout)).toThrow(/unknown command melt/);
        expect((await ffs.status()).faults.eio).toBeNull();
      }));
  });

  describe('mounting', () => {
    it('mounts over a directory with data in it, hides its own state, and leaves exactly what it showed', async () => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-faultfs-'));
      const dir = path.join(base, 'data');
      try {
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'before'), 'was here');
        const ffs = await mountFaultFs(CONTROLLER_HOST, { dir, tag: `${TEST_TAG}:over` });
        try {
          expect(readTree(dir)).toEqual({ before: 'was here' });
          writeDurable(path.join(dir, 'durable'), 'd');
          fs.unlinkSync(path.join(dir, 'before')); // parked in the hidden attic
          writeUnsynced(path.join(dir, 'unsynced'), 'u');
          expect(readTree(dir)).toEqual({ durable: 'd', unsynced: 'u' });
          expect(errnoOf(() => fs.mkdirSync(path.join(dir, '.faultfs-attic')))).toBe('EPERM');
        } finally {
          await ffs.unmount();
        }
        // Unmounted without a power loss: the page cache reached the disk, nothing else is left.
        expect(readTree(dir)).toEqual({ durable: 'd', unsynced: 'u' });
        expect(fs.readdirSync(dir).sort()).toEqual(['durable', 'unsynced']);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    });

    it('files and directories get the modes the caller asked for, under its umask', () =>
      withFaultFs((_ffs, dir) => {
        const old = process.umask(0);
        try {
          fs.mkdirSync(path.join(dir, 'open'), 0o777);
          fs.writeFileSync(path.join(dir, 'open/f'), 'x', { mode: 0o666 });
          process.umask(0o027);
          fs.mkdirSync(path.join(dir, 'masked'), 0o777);
        } finally {
          process.umask(old);
        }
        expect(fs.statSync(path.join(dir, 'open')).mode & 0o777).toBe(0o777);
        expect(fs.statSync(path.join(dir, 'open/f')).mode & 0o777).toBe(0o666);
        expect(fs.statSync(path.join(dir, 'masked')).mode & 0o777).toBe(0o750);
      }));

    it('faultline cleanup of a run finds and unmounts the run\'s fault filesystems', async () => {
      const prefix = `fft${process.pid % 100_000}`;
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-faultfs-'));
      try {
        const ffs = await mountFaultFs(CONTROLLER_HOST, { dir: path.join(base, 'n1'), tag: `${prefix}:n1` });
        process.kill(ffs.pid, 'SIGKILL'); // the run crashed with it
        expect(await knownRuns()).toContain(prefix);
        expect(await runLeftovers(prefix)).toEqual([`fault filesystem ${ffs.dir}`]);
        const report = await cleanupRun(prefix);
        expect(report).toMatchObject({ mounts: [ffs.dir], problems: [] });
        expect(await runLeftovers(prefix)).toEqual([]);
        expect(fs.existsSync(ffs.socket)).toBe(false);
      } finally {
        await cleanupFaultFs(CONTROLLER_HOST, prefix);
        fs.rmSync(base, { recursive: true, force: true });
      }
    });

    it('the doctor probe finds that it works here, and leaves nothing mounted', async () => {
      const r = await probeFaultFs(CONTROLLER_HOST);
      expect(r).toEqual({ ok: true, detail: 'controller: mounts, loses an unsynced write on power-loss, unmounts' });
      expect(faultFsMounts(await mountsOn(CONTROLLER_HOST), `probe-${process.pid}`)).toEqual([]);
    });

    it('cleanup unmounts a fault filesystem whose daemon was killed, and the directory can be mounted again', async () => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-faultfs-'));
      const dir = path.join(base, 'data');
      const tag = `${TEST_TAG}:crash`;
      try {
        const ffs = await mountFaultFs(CONTROLLER_HOST, { dir, tag });
        writeDurable(path.join(dir, 'f'), 'kept');
        fs.unlinkSync(path.join(dir, 'f'));
        process.kill(ffs.pid, 'SIGKILL');
        await waitUntil(() => errnoOf(() => fs.readdirSync(dir)) === 'ENOTCONN');
        const mine = async () => faultFsMounts(await mountsOn(CONTROLLER_HOST), tag);
        expect((await mine()).map((m) => m.target)).toEqual([dir]);
        const r = await cleanupFaultFs(CONTROLLER_HOST, tag);
        expect(r).toEqual({ unmounted: [dir], problems: [] });
        expect(await mine()).toEqual([]);
        // The dead daemon's attic is still in the directory; the next mount clears it.
        expect(fs.readdirSync(dir)).toEqual(['.faultfs-attic']);
        const again = await mountFaultFs(CONTROLLER_HOST, { dir, tag });
        try {
          expect(readTree(dir)).toEqual({});
        } finally {
          await again.unmount();
        }
        expect(fs.readdirSync(dir)).toEqual([]);
      } finally {
        await cleanupFaultFs(CONTROLLER_HOST, tag);
        fs.rmSync(base, { recursive: true, force: true });
      }
    });
  });
});

async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
}
