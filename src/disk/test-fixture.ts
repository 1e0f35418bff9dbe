/**
 * For tests of the fault filesystem: whether this machine can mount it (root, /dev/fuse, the
 * libfuse3 headers), a fresh mount over a fresh directory that is always unmounted and removed,
 * and the file calls tests make through it (plain Node fs, as a database would).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTROLLER_HOST } from '../control/host-build.ts';
import type { DirSync } from './commands.ts';
import { cleanupFaultFs, mountFaultFs, type FaultFs } from './faultfs.ts';

/** Why fault filesystem tests cannot run here, or undefined when they can. */
export const FAULTFS_SKIP: string | undefined =
  process.platform !== 'linux' || process.getuid?.() !== 0
    ? 'needs root'
    : !fs.existsSync('/dev/fuse')
      ? 'no /dev/fuse'
      : !fs.existsSync('/usr/include/fuse3/fuse_lowlevel.h')
        ? 'apt-get install fuse3 libfuse3-dev'
        : undefined;

/** Every mount of this test process carries this tag prefix. */
export const TEST_TAG = `fltest-${process.pid}`;

let count = 0;

/**
 * Mounts a fault filesystem (directory model `dirs`) over a new empty directory, runs `fn`,
 * then always unmounts and removes it. When `fn` fails, its error is the one reported (an unmount that then fails too,
 * because `fn` left a file open, is left to the afterAll check of unmountLeftovers).
 */
export async function withFaultFs<T>(fn: (ffs: FaultFs, dir: string) => Promise<T> | T, dirs: DirSync = 'journal'): Promise<T> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-faultfs-'));
  const dir = path.join(base, 'data');
  let ffs: FaultFs | undefined;
  let failed = false;
  try {
    ffs = await mountFaultFs(CONTROLLER_HOST, { dir, tag: `${TEST_TAG}:${++count}`, dirs, logFile: path.join(base, 'faultfs.log') });
    return await fn(ffs, ffs.dir);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    try {
      if (ffs) await ffs.unmount();
    } catch (e) {
      if (!failed) throw e;
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }
}

/** Unmounts whatever mount of this test process is still there (a safety net for afterAll). */
export async function unmountLeftovers(): Promise<string[]> {
  return (await cleanupFaultFs(CONTROLLER_HOST, TEST_TAG)).unmounted;
}

/** fsync of a file or a directory. */
export function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a file without any fsync. */
export function writeUnsynced(p: string, data: string | Buffer, flag = 'w'): void {
  fs.writeFileSync(p, data, { flag });
}

/** Writes a file and fsyncs it, but not its directory. */
export function writeFsynced(p: string, data: string | Buffer): void {
  const fd = fs.openSync(p, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a file, fsyncs it and its directory. */
export function writeDurable(p: string, data: string | Buffer): void {
  writeFsynced(p, data);
  fsyncPath(path.dirname(p));
}

/** The directory tree under `dir`: relative path -> file content (utf8), or '<dir>' for a directory. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      if (fs.lstatSync(full).isDirectory()) {
        out[r] = '<dir>';
        walk(r);
      } else {
        out[r] = fs.readFileSync(full, 'utf8');
      }
    }
  };
  walk('');
  return out;
}
