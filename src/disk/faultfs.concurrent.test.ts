// The fault filesystem under concurrent writers: four processes append records with an fsync
// each and replace a state file atomically (write, fsync, rename, directory fsync), while status
// is polled; they are SIGKILLed mid-flight and the disk loses power. Every log must hold whole
// records 0..n with n at least the last one acknowledged, and every state file an acknowledged
// value at least as new as the last acknowledged one.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULTFS_SKIP, fsyncPath, unmountLeftovers, withFaultFs } from './test-fixture.ts';

const WRITERS = 4;

/** One writer: in DIR, append "i\n" to log + fsync, and every 5th record replace state; prints each ack. */
const WRITER = `
const fs = require('fs'), path = require('path');
const dir = process.argv[1];
const log = fs.openSync(path.join(dir, 'log'), 'a');
const dfd = fs.openSync(dir, 'r');
for (let i = 0; ; i++) {
  fs.writeSync(log, i + '\\n');
  fs.fsyncSync(log);
  process.stdout.write('log ' + i + '\\n');
  if (i % 5 === 0) {
    const tmp = path.join(dir, 'state.tmp');
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, String(i));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(dir, 'state'));
    fs.fsyncSync(dfd);
    process.stdout.write('state ' + i + '\\n');
  }
}`;

interface Writer {
  child: ChildProcess;
  lastLog: number;
  lastState: number;
}

function startWriter(dir: string): Writer {
  const child = spawn(process.execPath, ['-e', WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const w: Writer = { child, lastLog: -1, lastState: -1 };
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const line of lines) {
      const [kind, n] = line.split(' ');
      if (kind === 'log') w.lastLog = Number(n);
      if (kind === 'state') w.lastState = Number(n);
    }
  });
  return w;
}

async function killAll(writers: readonly Writer[]): Promise<void> {
  await Promise.all(
    writers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
          w.child.once('exit', () => resolve());
          w.child.kill('SIGKILL');
        }),
    ),
  );
}

describe.skipIf(FAULTFS_SKIP !== undefined)(`fault filesystem under concurrent writers (${FAULTFS_SKIP ?? 'root, /dev/fuse, libfuse3'})`, () => {
  afterAll(async () => {
    expect(await unmountLeftovers()).toEqual([]);
  });

  for (const dirs of ['journal', 'strict'] as const) {
    it(`--dirs ${dirs}: acknowledged records and states survive a power loss after a kill mid-flight`, () =>
      withFaultFs(async (ffs, mount) => {
        const dirsOf = Array.from({ length: WRITERS }, (_, i) => path.join(mount, `w${i}`));
        for (const d of dirsOf) fs.mkdirSync(d);
        fsyncPath(mount);
        const writers = dirsOf.map(startWriter);
        try {
          // Let them run until each has acknowledged a few states, polling status meanwhile.
          while (writers.some((w) => w.lastState < 10)) {
            const st = await ffs.status();
            expect(st.pid).toBe(ffs.pid);
            await new Promise((r) => setTimeout(r, 20));
          }
        } finally {
          await killAll(writers);
        }
        const report = await ffs.apply({ kind: 'power-loss' });
        expect(report?.missing).toBe(0);
        for (const [i, w] of writers.entries()) {
          const lines = fs.readFileSync(path.join(dirsOf[i]!, 'log'), 'utf8').split('\n');
          expect(lines.pop()).toBe(''); // whole records only
          expect(lines).toEqual(lines.map((_, k) => String(k)));
          expect(lines.length - 1).toBeGreaterThanOrEqual(w.lastLog);
          const state = Number(fs.readFileSync(path.join(dirsOf[i]!, 'state'), 'utf8'));
          expect(state % 5).toBe(0);
          expect(state).toBeGreaterThanOrEqual(w.lastState);
        }
      }, dirs));
  }
});
