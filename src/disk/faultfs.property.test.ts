// Property: random sequences of write / truncate / fsync / create / rename / link / unlink / mkdir
// / rmdir / directory fsync / power loss, played on a real fault filesystem and on a model of its disk,
// leave the same tree: before every power loss (the page cache) and after it (the durable state).
// The model is the disk semantics written down plainly: a file's data is durable at its fsync;
// directory entries, with --dirs journal, at any fsync after the change; with --dirs strict, at
// the directory's fsync, and a rename between two directories in both when either is fsynced
// (after the earlier pending renames of the same inode, renames within a directory included).
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DirSync } from './commands.ts';
import { FAULTFS_SKIP, fsyncPath, readTree, unmountLeftovers, withFaultFs } from './test-fixture.ts';

const PAGE = 4096;
const FILES = ['a', 'b'] as const;
const DIRS = ['', 'd', 'e'] as const; // '' is the run's own directory
type DirName = (typeof DIRS)[number];

type Op =
  | { kind: 'write'; dir: DirName; name: string; offset: number; length: number; byte: number }
  | { kind: 'truncate'; dir: DirName; name: string; size: number }
  | { kind: 'fsync'; dir: DirName; name: string }
  | { kind: 'fsyncdir'; dir: DirName }
  | { kind: 'rename'; dir: DirName; name: string; toDir: DirName; toName: string }
  | { kind: 'link'; dir: DirName; name: string; toDir: DirName; toName: string }
  | { kind: 'unlink'; dir: DirName; name: string }
  | { kind: 'mkdir'; dir: Exclude<DirName, ''> }
  | { kind: 'rmdir'; dir: Exclude<DirName, ''> }
  | { kind: 'power-loss' };

interface FileNode { kind: 'file'; data: Buffer; durable: Buffer }
interface DirNode { kind: 'dir'; entries: Map<string, number>; durable: Map<string, number> }
/** A rename not yet durable; src and dst are the same directory for a rename within one. */
interface PendingRename { src: number; srcName: string; dst: number; dstName: string; ino: number }

/** The disk as the fault filesystem promises it: what is visible now, and what survives a power loss. */
class DiskModel {
  readonly nodes = new Map<number, FileNode | DirNode>();
  readonly root = 0;
  private next = 1;
  private renames: PendingRename[] = [];
  private readonly dirs: DirSync;

  /** Starts with the root and the given durable, empty subdirectories. */
  constructor(dirs: DirSync, subdirs: readonly string[]) {
    this.dirs = dirs;
    this.nodes.set(this.root, { kind: 'dir', entries: new Map(), durable: new Map() });
    for (const name of subdirs) {
      this.apply({ kind: 'mkdir', dir: name as Exclude<DirName, ''> });
      this.commitDir(this.root);
    }
  }

  private dirNode(ino: number): DirNode {
    const n = this.nodes.get(ino);
    if (n?.kind !== 'dir') throw new Error(`inode ${ino} is not a directory`);
    return n;
  }

  /** The inode of a top-level directory ('' is the root), if it exists now. */
  dir(name: DirName): number | undefined {
    if (name === '') return this.root;
    const ino = this.dirNode(this.root).entries.get(name);
    return ino !== undefined && this.nodes.get(ino)?.kind === 'dir' ? ino : undefined;
  }

  file(dir: DirName, name: string): FileNode | undefined {
    const d = this.dir(dir);
    const ino = d === undefined ? undefined : this.dirNode(d).entries.get(name);
    const n = ino === undefined ? undefined : this.nodes.get(ino);
    return n?.kind === 'file' ? n : undefined;
  }

  /** Whether the op applies to the current tree (the generator proposes blindly). */
  applies(op: Op): boolean {
    switch (op.kind) {
      case 'write':
        return this.dir(op.dir) !== undefined && (this.file(op.dir, op.name) !== undefined || !this.dirNode(this.dir(op.dir)!).entries.has(op.name));
      case 'truncate':
      case 'fsync':
      case 'unlink':
        return this.file(op.dir, op.name) !== undefined;
      case 'fsyncdir':
        return this.dir(op.dir) !== undefined;
      case 'rename': {
        const to = this.dir(op.toDir);
        if (this.file(op.dir, op.name) === undefined || to === undefined) return false;
        const target = this.dirNode(to).entries.get(op.toName);
        return target === undefined || this.nodes.get(target)?.kind === 'file';
      }
      case 'link': {
        const to = this.dir(op.toDir);
        return this.file(op.dir, op.name) !== undefined && to !== undefined && !this.dirNode(to).entries.has(op.toName);
      }
      case 'mkdir':
        return !this.dirNode(this.root).entries.has(op.dir);
      case 'rmdir': {
        const d = this.dir(op.dir);
        return d !== undefined && this.dirNode(d).entries.size === 0;
      }
      case 'power-loss':
        return true;
    }
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'write': {
        let f = this.file(op.dir, op.name);
        if (!f) {
          f = { kind: 'file', data: Buffer.alloc(0), durable: Buffer.alloc(0) };
          const ino = this.next++;
          this.nodes.set(ino, f);
          this.dirNode(this.dir(op.dir)!).entries.set(op.name, ino);
        }
        const end = op.offset + op.length;
        if (f.data.length < end) f.data = Buffer.concat([f.data, Buffer.alloc(end - f.data.length)]);
        f.data.fill(op.byte, op.offset, end);
        return;
      }
      case 'truncate': {
        const f = this.file(op.dir, op.name)!;
        f.data = op.size <= f.data.length ? Buffer.from(f.data.subarray(0, op.size)) : Buffer.concat([f.data, Buffer.alloc(op.size - f.data.length)]);
        return;
      }
      case 'fsync': {
        const f = this.file(op.dir, op.name)!;
        f.durable = Buffer.from(f.data);
        if (this.dirs === 'journal') this.commitAll();
        return;
      }
      case 'fsyncdir':
        return this.dirs === 'journal' ? this.commitAll() : this.commitDir(this.dir(op.dir)!);
      case 'rename': {
        const src = this.dir(op.dir)!;
        const dst = this.dir(op.toDir)!;
        const ino = this.dirNode(src).entries.get(op.name)!;
        if (this.dirNode(dst).entries.get(op.toName) === ino) return; // rename(2) between links of one inode does nothing
        this.dirNode(src).entries.delete(op.name);
        this.dirNode(dst).entries.set(op.toName, ino);
        this.renames.push({ src, srcName: op.name, dst, dstName: op.toName, ino });
        return;
      }
      case 'link':
        this.dirNode(this.dir(op.toDir)!).entries.set(op.toName, this.dirNode(this.dir(op.dir)!).entries.get(op.name)!);
        return;
      case 'unlink':
        this.dirNode(this.dir(op.dir)!).entries.delete(op.name);
        return;
      case 'mkdir': {
        const ino = this.next++;
        this.nodes.set(ino, { kind: 'dir', entries: new Map(), durable: new Map() });
        this.dirNode(this.root).entries.set(op.dir, ino);
        return;
      }
      case 'rmdir':
        this.dirNode(this.root).entries.delete(op.dir);
        return;
      case 'power-loss':
        for (const n of this.nodes.values()) {
          if (n.kind === 'dir') n.entries = new Map(n.durable);
          else n.data = Buffer.from(n.durable);
        }
        this.renames = [];
        return;
    }
  }

  /** The journal's commit: every directory's entries as they are now. */
  private commitAll(): void {
    for (const n of this.nodes.values()) if (n.kind === 'dir') n.durable = new Map(n.entries);
    this.renames = [];
  }

  private commitDir(dir: number): void {
    const d = this.dirNode(dir);
    d.durable = new Map(d.entries);
    for (let r = this.renames.find((x) => x.src === dir || x.dst === dir); r; r = this.renames.find((x) => x.src === dir || x.dst === dir)) {
      this.commitRename(r, dir);
    }
  }

  /** Makes a rename durable on the side that is not `committed` (already durable as it is now). */
  private commitRename(r: PendingRename, committed: number): void {
    for (let e = this.renames.find((x) => x.ino === r.ino); e && e !== r; e = this.renames.find((x) => x.ino === r.ino)) this.commitRename(e, committed);
    if (r.src !== committed) {
      const src = this.dirNode(r.src);
      if (src.durable.get(r.srcName) === r.ino) src.durable.delete(r.srcName);
    }
    if (r.dst !== committed) this.dirNode(r.dst).durable.set(r.dstName, r.ino);
    this.renames.splice(this.renames.indexOf(r), 1);
  }

  /** The visible tree, as readTree shows it. */
  tree(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (ino: number, rel: string) => {
      for (const [name, child] of [...this.dirNode(ino).entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const r = rel ? `${rel}/${name}` : name;
        const n = this.nodes.get(child)!;
        if (n.kind === 'dir') {
          out[r] = '<dir>';
          walk(child, r);
        } else {
          out[r] = n.data.toString('utf8');
        }
      }
    };
    walk(this.root, '');
    return out;
  }
}

/** Plays one op on the real directory `root` (the model said it applies). */
function play(root: string, op: Op): void {
  const p = (dir: string, name = '') => path.join(root, dir, name);
  switch (op.kind) {
    case 'write': {
      const fd = fs.openSync(p(op.dir, op.name), fs.constants.O_WRONLY | fs.constants.O_CREAT);
      try {
        fs.writeSync(fd, Buffer.alloc(op.length, op.byte), 0, op.length, op.offset);
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    case 'truncate':
      return fs.truncateSync(p(op.dir, op.name), op.size);
    case 'fsync':
      return fsyncPath(p(op.dir, op.name));
    case 'fsyncdir':
      return fsyncPath(p(op.dir));
    case 'rename':
      return fs.renameSync(p(op.dir, op.name), p(op.toDir, op.toName));
    case 'link':
      return fs.linkSync(p(op.dir, op.name), p(op.toDir, op.toName));
    case 'unlink':
      return fs.unlinkSync(p(op.dir, op.name));
    case 'mkdir':
      return fs.mkdirSync(p(op.dir));
    case 'rmdir':
      return fs.rmdirSync(p(op.dir));
    case 'power-loss':
      return; // done by the caller, through the control socket
  }
}

const dirArb = fc.constantFrom(...DIRS);
const subdirArb = fc.constantFrom('d' as const, 'e' as const);
const nameArb = fc.constantFrom(...FILES);
// Printable bytes, so readTree's utf8 view of the data stays exact.
const byteArb = fc.integer({ min: 0x41, max: 0x5a });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('write' as const), dir: dirArb, name: nameArb, offset: fc.integer({ min: 0, max: 3 * PAGE }), length: fc.integer({ min: 1, max: 2 * PAGE }), byte: byteArb }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), dir: dirArb, name: nameArb, size: fc.integer({ min: 0, max: 4 * PAGE }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fsync' as const), dir: dirArb, name: nameArb }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('fsyncdir' as const), dir: dirArb }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('rename' as const), dir: dirArb, name: nameArb, toDir: dirArb, toName: nameArb }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('link' as const), dir: dirArb, name: nameArb, toDir: dirArb, toName: nameArb }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('unlink' as const), dir: dirArb, name: nameArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('mkdir' as const), dir: subdirArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('rmdir' as const), dir: subdirArb }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'power-loss' as const }), weight: 1 },
);

describe.skipIf(FAULTFS_SKIP !== undefined)(`fault filesystem against its model (${FAULTFS_SKIP ?? 'root, /dev/fuse, libfuse3'})`, () => {
  afterAll(async () => {
    expect(await unmountLeftovers()).toEqual([]);
  });

  it.each([
    ['strict', 60],
    ['journal', 30],
  ] as const)('--dirs %s: leaves the model\'s tree before and after every power loss (%i runs)', (dirs: DirSync, numRuns: number) =>
    withFaultFs(async (ffs, mount) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }), async (ops) => {
          // Each run works in a fresh directory holding d and e, all durable; earlier runs are all durable.
          const root = path.join(mount, `run-${++run}`);
          fs.mkdirSync(root);
          fsyncPath(mount);
          for (const d of ['d', 'e']) fs.mkdirSync(path.join(root, d));
          fsyncPath(root);
          const model = new DiskModel(dirs, ['d', 'e']);
          for (const op of [...ops, { kind: 'power-loss' as const }]) {
            if (!model.applies(op)) continue;
            if (op.kind === 'power-loss') {
              expect(readTree(root)).toEqual(model.tree());
              const report = await ffs.apply({ kind: 'power-loss' });
              expect(report?.missing).toBe(0);
            } else {
              play(root, op);
            }
            model.apply(op);
            if (op.kind === 'power-loss') expect(readTree(root)).toEqual(model.tree());
          }
          expect(await ffs.status()).toMatchObject({ unsyncedFiles: 0, dirtyDirs: 0, pendingRenames: 0, parked: 0 });
        }),
        { numRuns },
      );
    }, dirs), 600_000);
});
