// Run locks. The logic, against a store in memory under any sequence of runs starting, ending,
// crashing and pids being reused: no two live runs ever hold the same prefix or subnet, a refusal
// names a live holder and changes nothing, a lock of a dead controller is taken over and said so.
// Then the real thing: lock files, /proc liveness and the abstract-socket mutex, with concurrent
// takers in one process and a holder in another process that is SIGKILLed.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { type LockHolder, type LockStore, RunLockHeld, acquireRunLock, fileLockStore, listRunLocks, lockWants, processStart, refuseIfHeld, removeStaleLocks } from './run-lock.ts';

/** A store in memory; a holder lives while its (pid, start) is in `running`. */
function memoryStore(running: Map<number, string>): LockStore & { files: Map<string, LockHolder> } {
  const files = new Map<string, LockHolder>();
  return {
    files,
    read: async (key) => files.get(key),
    write: async (key, h) => void files.set(key, { ...h }),
    remove: async (key) => void files.delete(key),
    list: async () => new Map(files),
    alive: async (h) => running.get(h.pid) === h.pidStart,
    exclusive: (fn) => fn(),
  };
}

const PREFIXES = ['fa', 'fb', 'fc'];
const SUBNETS = ['10.221.1.0/24', '10.221.2.0/24', undefined];

type Step =
  | { kind: 'start'; controller: number; prefix: number; subnet: number }
  | { kind: 'end'; controller: number }
  | { kind: 'crash'; controller: number }
  | { kind: 'reuse'; controller: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), controller: fc.nat(3), prefix: fc.nat(2), subnet: fc.nat(2) }),
  fc.record({ kind: fc.constant('end' as const), controller: fc.nat(3) }),
  fc.record({ kind: fc.constant('crash' as const), controller: fc.nat(3) }),
  fc.record({ kind: fc.constant('reuse' as const), controller: fc.nat(3) }),
);

describe('run locks (logic)', () => {
  it('no two live runs share a prefix or subnet; refusals name a live holder and change nothing; dead holders are taken over', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        // Controller c runs as pid 100+c; a crash stops it, a reuse starts an unrelated process on
        // its pid, a start after either is a new process (a new start time) on the same pid.
        const running = new Map<number, string>();
        const self = new Map<number, string>();
        let boots = 0;
        const store = memoryStore(running);
        const held = new Map<number, { keys: string[]; release(): Promise<void> }[]>();
        const isUp = (c: number): boolean => self.has(c) && running.get(100 + c) === self.get(c);
        const liveKeys = (): string[] => [...held.entries()].filter(([c]) => isUp(c)).flatMap(([, locks]) => locks.flatMap((l) => l.keys));
        for (const s of steps) {
          const pid = 100 + s.controller;
          if (s.kind === 'crash') {
            running.delete(pid);
            held.delete(s.controller);
            continue;
          }
          if (s.kind === 'reuse') {
            if (!isUp(s.controller)) running.set(pid, `other${boots++}`);
            continue;
          }
          if (s.kind === 'end') {
            for (const l of held.get(s.controller) ?? []) await l.release();
            held.delete(s.controller);
            continue;
          }
          if (!isUp(s.controller)) {
            self.set(s.controller, `start${boots++}`);
            running.set(pid, self.get(s.controller)!);
            held.delete(s.controller);
          }
          const req = { prefix: PREFIXES[s.prefix]!, provider: 'local', ...(SUBNETS[s.subnet] ? { subnet: SUBNETS[s.subnet]! } : {}) };
          const keys = lockWants(req).map((w) => w.key);
          const before = new Map(store.files);
          const logged: string[] = [];
          try {
            const lock = await acquireRunLock(req, { store, log: (l) => logged.push(l), self: { pid, pidStart: self.get(s.controller)!, command: `controller ${s.controller}` } });
            // No lock it took belonged to a live run.
            expect(liveKeys().filter((k) => keys.includes(k))).toEqual([]);
            const stale = keys.filter((k) => before.has(k));
            expect(logged).toHaveLength(stale.length);
            for (const k of stale) expect(logged.join('\n')).toContain(`controller pid ${before.get(k)!.pid} `);
            for (const k of keys) expect(store.files.get(k)?.token).toBe(lock.holder.token);
            held.set(s.controller, [...(held.get(s.controller) ?? []), { keys, release: () => lock.release() }]);
          } catch (e) {
            expect(e).toBeInstanceOf(RunLockHeld);
            const holder = (e as RunLockHeld).holder;
            expect(running.get(holder.pid)).toBe(holder.pidStart);
            expect(liveKeys().some((k) => keys.includes(k))).toBe(true);
            expect(store.files).toEqual(before);
          }
          // The isolation property itself: the live runs' locks are disjoint.
          const all = liveKeys();
          expect(new Set(all).size).toBe(all.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the refusal is one line naming what is held, the holder and how to pick another', async () => {
    const store = memoryStore(new Map([[7, 's7']]));
    await acquireRunLock({ prefix: 'fa', subnet: '10.221.3.0/24', provider: 'docker' }, { store, self: { pid: 7, pidStart: 's7', command: 'faultline test\n  --provider docker' } });
    const refusal = await acquireRunLock({ prefix: 'fb', subnet: '10.221.3.0/24', provider: 'local', subnetOption: '--opt local.subnet' }, { store, self: { pid: 8, pidStart: 's8', command: 'x' } }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(UsageError);
    const msg = (refusal as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/^subnet 10\.221\.3\.0\/24 is in use by another run: controller pid 7 \(docker run fa\) since \d{4}-\d\d-\d\dT[^,]+, command: faultline test --provider docker; wait for it to end, or pick another subnet with --opt local\.subnet=A\.B\.C\.0\/24$/);
    await expect(refuseIfHeld({ prefix: 'fa', provider: 'ssh', prefixOption: '--opt ssh.prefix' }, store)).rejects.toThrow(/^prefix fa is in use .* pick another prefix with --opt ssh\.prefix=P$/);
  });

  it('refuses a prefix or subnet that could name a path', () => {
    expect(() => lockWants({ prefix: '../x', provider: 'local' })).toThrow(UsageError);
    expect(() => lockWants({ prefix: 'fa', subnet: '10.1.2.0/16', provider: 'local' })).toThrow(UsageError);
    expect(lockWants({ prefix: 'fa', subnet: '10.221.4.0/24', provider: 'local' }).map((w) => w.key)).toEqual(['prefix-fa', 'subnet-10.221.4']);
  });
});

describe('run locks (files, /proc, mutex)', () => {
  const dirs: string[] = [];
  const tmp = async (): Promise<string> => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'faultline-locks-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('of many takers starting at once in one process, exactly one wins', async () => {
    const store = fileLockStore(await tmp());
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => acquireRunLock({ prefix: 'fa', provider: 'local' }, { store })));
    const won = attempts.filter((a) => a.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(RunLockHeld);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    expect(await listRunLocks(store)).toEqual([]);
  });

  it('a pid that now belongs to another process does not hold the lock', async () => {
    const dir = await tmp();
    const store = fileLockStore(dir);
    const start = await processStart(process.pid);
    expect(start).toBeDefined();
    const record: LockHolder = { what: 'prefix fa', prefix: 'fa', provider: 'local', pid: process.pid, pidStart: `${start}1`, token: 't', since: '2000-01-01T00:00:00.000Z', command: 'old' };
    await writeFile(path.join(dir, 'prefix-fa.json'), JSON.stringify(record));
    const logged: string[] = [];
    const lock = await acquireRunLock({ prefix: 'fa', provider: 'local' }, { store, log: (l) => logged.push(l) });
    expect(logged).toEqual([`prefix fa: its holder is gone (controller pid ${process.pid} (local run fa) since 2000-01-01T00:00:00.000Z, command: old); taking it over`]);
    await lock.release();
  });

  it('a holder in another process refuses the next taker until it is SIGKILLed; then its lock is stale, taken over, and removable', async () => {
    const dir = await tmp();
    const store = fileLockStore(dir);
    const module = fileURLToPath(new URL('./run-lock.ts', import.meta.url));
    const code = `const m = await import(${JSON.stringify(module)}); await m.acquireRunLock({ prefix: 'fa', subnet: '10.221.5.0/24', provider: 'local' }, { store: m.fileLockStore(${JSON.stringify(dir)}) }); console.log('held'); setInterval(() => {}, 1 << 30);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, 'lock-holder-marker'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
        child.once('exit', (c) => reject(new Error(`holder exited ${c}`)));
      });
      const refusal = await acquireRunLock({ prefix: 'fb', subnet: '10.221.5.0/24', provider: 'local' }, { store }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(RunLockHeld);
      expect((refusal as RunLockHeld).holder.pid).toBe(child.pid);
      expect((refusal as RunLockHeld).holder.command).toMatch(/ lock-holder-marker$/);
      expect((refusal as Error).message).toContain(`command: ${process.execPath} --import tsx --input-type=module -e `);
      expect((await listRunLocks(store)).map((l) => [l.key, l.alive])).toEqual([['prefix-fa', true], ['subnet-10.221.5', true]]);
      expect(await removeStaleLocks('fa', store)).toEqual([]);
    } finally {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    expect((await listRunLocks(store)).map((l) => l.alive)).toEqual([false, false]);
    const logged: string[] = [];
    const lock = await acquireRunLock({ prefix: 'fb', subnet: '10.221.5.0/24', provider: 'local' }, { store, log: (l) => logged.push(l) });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(new RegExp(`^subnet 10\\.221\\.5\\.0/24: its holder is gone \\(controller pid ${child.pid} \\(local run fa\\)`));
    expect(await removeStaleLocks('fa', store)).toEqual(['prefix fa']);
    expect(JSON.parse(await readFile(path.join(dir, 'subnet-10.221.5.json'), 'utf8'))).toMatchObject({ prefix: 'fb', pid: process.pid });
    await lock.release();
    expect(await listRunLocks(store)).toEqual([]);
  });
});
