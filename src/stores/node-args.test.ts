// Command-line parsing of the store node program: a valid command line, and one clear message
// per kind of mistake.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { parseNodeArgs } from './node-args.ts';

const base = ['--store', 'raft', '--id', 'n1', '--listen', '10.0.0.1:8080', '--data-dir', '/tmp/d'];
const peers = ['--peers', 'n1=10.0.0.1:8080,n2=10.0.0.2:8080,n3=10.0.0.3:8080'];

describe('parseNodeArgs', () => {
  it('parses a full command line, dropping itself from the peers', () => {
    const cfg = parseNodeArgs([...base, ...peers, '--bug', 'stale-reads,no-fsync', '--bug', 'lease-reads', '--election-ms', '300']);
    expect(cfg).toEqual({
      store: 'raft',
      id: 'n1',
      listen: { host: '10.0.0.1', port: 8080 },
      peers: new Map([
        ['n2', { host: '10.0.0.2', port: 8080 }],
        ['n3', { host: '10.0.0.3', port: 8080 }],
      ]),
      dataDir: '/tmp/d',
      bugs: new Set(['stale-reads', 'no-fsync', 'lease-reads']),
      electionMs: 300,
    });
  });

  it.each([
    [[...base], '--peers is required'],
    [[...base, ...peers, '--store', 'paxos'], '--store: unknown store "paxos" (known: raft, leader-follower, quorum, lww, mvcc, sharded)'],
    [[...base, '--peers', 'n2=10.0.0.2'], '--peers n2: expected host:port, got "10.0.0.2"'],
    [[...base, '--peers', 'n2'], '--peers: expected id=host:port, got "n2"'],
    [[...base, '--peers', 'n2=a:1,n2=b:2'], '--peers: n2 is listed twice'],
    [[...base, ...peers, '--bug', 'fast-path'], '--bug: raft has no bug "fast-path" (known: stale-reads, no-fsync, lease-reads, volatile-votes, lazy-fsync, member-counted-early)'],
    [[...base, ...peers, '--mode', 'sync'], '--mode: raft has no mode "sync" (it has none)'],
    [[...base, ...peers, '--store', 'leader-follower', '--mode', 'eventual'], '--mode: leader-follower has no mode "eventual" (known: async, sync)'],
    [[...base, ...peers, '--heartbeat-ms', '0'], '--heartbeat-ms: expected a positive integer, got "0"'],
    [[...base, ...peers, '--listen', 'x:99999'], '--listen: expected host:port, got "x:99999"'],
    [[...base, ...peers, '--r', '1'], '--n, --r and --w apply to the quorum store only, not raft'],
    [[...base, ...peers, '--store', 'quorum', '--w', 'two'], '--w: expected a positive integer, got "two"'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseNodeArgs(argv)).toThrow(UsageError);
    expect(() => parseNodeArgs(argv)).toThrow(message);
  });

  it('takes a mode for stores that have modes', () => {
    const cfg = parseNodeArgs([...base, ...peers, '--store', 'leader-follower', '--mode', 'sync']);
    expect(cfg).toMatchObject({ store: 'leader-follower', mode: 'sync' });
  });

  it('takes quorum sizes for the quorum store', () => {
    const cfg = parseNodeArgs([...base, ...peers, '--store', 'quorum', '--n', '3', '--r', '1', '--w', '1']);
    expect(cfg).toMatchObject({ store: 'quorum', n: 3, r: 1, w: 1 });
  });

  it('rejects unknown flags', () => {
    expect(() => parseNodeArgs([...base, ...peers, '--turbo'])).toThrow(/Unknown option '--turbo'/);
  });
});
