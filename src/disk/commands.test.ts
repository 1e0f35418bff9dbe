// The fault filesystem's control words and replies, and how its mounts are named and found: pure
// logic, no mount needed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandWords, faultFsMounts, fsName, parseMounts, parsePowerLoss, parseReply, parseStatus, socketPath, type DiskCommand } from './commands.ts';

describe('commandWords', () => {
  it('spells each command as the daemon reads it', () => {
    const cases: [DiskCommand, string[]][] = [
      [{ kind: 'status' }, ['status']],
      [{ kind: 'heal' }, ['heal']],
      [{ kind: 'power-loss' }, ['power-loss']],
      [{ kind: 'power-loss', torn: true, seed: 3 }, ['power-loss', 'torn', 'seed=3']],
      [{ kind: 'eio', ops: ['read', 'fsync', 'read'], rate: 0.25, path: 'wal/*.wal' }, ['eio', 'ops=read,fsync', 'rate=0.25', 'path=wal/*.wal']],
      [{ kind: 'slow', latency: { dist: 'fixed', ms: 50 } }, ['slow', 'dist=fixed', 'ms=50']],
      [{ kind: 'slow', ops: ['write'], latency: { dist: 'uniform', minMs: 1, maxMs: 9.5 }, seed: 0 }, ['slow', 'ops=write', 'dist=uniform', 'min=1', 'max=9.5', 'seed=0']],
      [{ kind: 'slow', latency: { dist: 'exp', meanMs: 20 } }, ['slow', 'dist=exp', 'mean=20']],
      [{ kind: 'enospc', bytes: 0 }, ['enospc', 'bytes=0']],
      [{ kind: 'flip', rate: 0.001 }, ['flip', 'rate=0.001']],
    ];
    for (const [c, words] of cases) expect(commandWords(c)).toEqual(words);
  });

  it('refuses what the daemon could not read back, naming the field', () => {
    expect(() => commandWords({ kind: 'eio', rate: 1.5 })).toThrow(/rate must be in \[0, 1\]/);
    expect(() => commandWords({ kind: 'eio', rate: Number.NaN })).toThrow(/rate/);
    expect(() => commandWords({ kind: 'eio', ops: [] })).toThrow(/at least one/);
    expect(() => commandWords({ kind: 'flip', path: 'a b' })).toThrow(/no whitespace/);
    expect(() => commandWords({ kind: 'enospc', bytes: -1 })).toThrow(/non-negative integer/);
    expect(() => commandWords({ kind: 'enospc', bytes: 1.5 })).toThrow(/non-negative integer/);
    expect(() => commandWords({ kind: 'slow', latency: { dist: 'uniform', minMs: 5, maxMs: 1 } })).toThrow(/above maxMs/);
    expect(() => commandWords({ kind: 'slow', latency: { dist: 'fixed', ms: Infinity } })).toThrow(/ms must be/);
    expect(() => commandWords({ kind: 'power-loss', seed: -2 })).toThrow(/seed/);
  });

  it('never produces a word with whitespace, whatever valid spec it gets', () => {
    const spec = fc.oneof(
      fc.record({ kind: fc.constant('eio' as const), rate: fc.double({ min: 0, max: 1, noNaN: true }), path: fc.stringMatching(/^[a-z*/.]{0,20}$/) }),
      fc.record({ kind: fc.constant('flip' as const), rate: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.nat() }),
      fc.record({ kind: fc.constant('enospc' as const), bytes: fc.nat() }),
    );
    fc.assert(fc.property(spec, (c) => commandWords(c).every((w) => w.length > 0 && !/\s/.test(w))));
  });
});

describe('replies', () => {
  it('returns the reply object, or throws the daemon error', () => {
    expect(parseReply('{"ok":true,"pid":4}\n')).toEqual({ ok: true, pid: 4 });
    expect(() => parseReply('{"ok":false,"error":"rate=2: at most 1"}')).toThrow('faultfs: rate=2: at most 1');
    expect(() => parseReply('')).toThrow(/unreadable reply/);
    expect(() => parseReply('[1]')).toThrow(/not an object/);
  });

  it('reads status and power-loss replies, and refuses one that lacks a field', () => {
    const status = parseReply(
      '{"ok":true,"pid":9,"dirs":"strict","unsyncedBytes":4,"unsyncedFiles":1,"dirtyDirs":2,"pendingRenames":0,"parked":1,' +
        '"faults":{"eio":null,"slow":{"ops":["fsync"],"dist":"fixed","a":3,"b":0},"enospc":{"remaining":12},"flip":null},' +
        '"applied":{"eio":0,"slow":5,"slowMs":15,"enospc":0,"flip":0,"powerLoss":1,"torn":0}}',
    );
    expect(parseStatus(status)).toMatchObject({ pid: 9, dirs: 'strict', unsyncedBytes: 4, faults: { eio: null, enospc: { remaining: 12 } }, applied: { slowMs: 15 } });
    expect(() => parseStatus({ ...status, parked: 'x' })).toThrow(/parked/);
    const loss = parseReply('{"ok":true,"droppedBytes":10,"files":1,"dirs":0,"missing":0,"tornCount":1,"torn":[{"path":"a b","offset":3,"length":9000,"kept":4093}]}');
    expect(parsePowerLoss(loss)).toEqual({ droppedBytes: 10, files: 1, dirs: 0, missing: 0, tornCount: 1, torn: [{ path: 'a b', offset: 3, length: 9000, kept: 4093 }] });
  });
});

describe('mount naming', () => {
  it('names mounts faultfs:<tag> and refuses tags that would not survive the mount table', () => {
    expect(fsName('fl:n1')).toBe('faultfs:fl:n1');
    expect(socketPath('fl:n1')).toBe('/run/faultline/faultfs/fl:n1.sock');
    for (const bad of ['', ':n1', 'a b', 'a,b', 'a::b', 'x'.repeat(65)]) expect(() => fsName(bad)).toThrow(RangeError);
  });

  it('finds the fault filesystems of a tag prefix in the mount table, and nothing else', () => {
    const table = [
      '/dev/vda / ext4 rw,relatime 0 0',
      'faultfs:fl:n1 /var/lib/fl/n1 fuse.faultfs rw,nosuid 0 0',
      'faultfs:fl:n2 /var/lib/with\\040space fuse.faultfs rw 0 0',
      'faultfs:fl2:n1 /var/lib/fl2/n1 fuse.faultfs rw 0 0',
      'faultfs:fl /var/lib/fl/whole fuse.faultfs rw 0 0',
      'faultfs:fl:n3 /elsewhere fuse.other rw 0 0',
      '',
    ].join('\n');
    const mounts = parseMounts(table);
    expect(mounts[2]).toEqual({ source: 'faultfs:fl:n2', target: '/var/lib/with space', fstype: 'fuse.faultfs' });
    expect(faultFsMounts(mounts, 'fl').map((m) => m.target)).toEqual(['/var/lib/fl/n1', '/var/lib/with space', '/var/lib/fl/whole']);
    expect(faultFsMounts(mounts, 'fl:n1').map((m) => m.target)).toEqual(['/var/lib/fl/n1']);
    expect(faultFsMounts(mounts)).toHaveLength(4);
  });
});
