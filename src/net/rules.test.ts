// Rule rendering: nft tables are single lines (one atomic transaction) naming exactly the given
// links; iptables and tc batches have the shape their tools accept (checked for real by the
// integration tests in test/local).
import { describe, expect, it } from 'vitest';
import { PARTITION_TABLE, delayRules, dupRules, iptablesChain, iptablesUnhook, nftLoss, nftPartition, tcRateBatch } from './rules.ts';

describe('nft rendering', () => {
  it('a partition is one line that declares, flushes and defines the table, one rule per destination', () => {
    const s = nftPartition([
      { from: '10.0.0.11', to: '10.0.0.12' },
      { from: '10.0.0.13', to: '10.0.0.12' },
      { from: '10.0.0.12', to: '10.0.0.11' },
    ]);
    expect(s).not.toContain('\n');
    expect(s.startsWith(`table bridge ${PARTITION_TABLE} {} ; flush table bridge ${PARTITION_TABLE} ;`)).toBe(true);
    expect(s).toContain('ip daddr 10.0.0.12 ip saddr { 10.0.0.11, 10.0.0.13 } counter drop');
    expect(s).toContain('ip daddr 10.0.0.11 ip saddr { 10.0.0.12 } counter drop');
    expect(s.match(/drop/g)?.length).toBe(2);
    expect(s).toMatch(/; } ; }$/);
  });

  it('loss uses numgen with 1e-4 resolution', () => {
    expect(nftLoss([{ from: 'a', to: 'b' }], 0.2)).toContain('numgen random mod 10000 < 2000 counter drop');
    expect(nftLoss([{ from: 'a', to: 'b' }], 0.0003)).toContain('< 3 counter');
  });
});

describe('iptables and tc rendering', () => {
  it('a chain batch creates the chain and one jump', () => {
    const s = iptablesChain('mangle', 'FAULTLINE-DUP', 'POSTROUTING', dupRules(['10.0.0.12'], 0.25));
    expect(s.split('\n')).toEqual([
      '*mangle',
      ':FAULTLINE-DUP - [0:0]',
      '-A FAULTLINE-DUP -d 10.0.0.12/32 -m statistic --mode random --probability 0.2500 -j TEE --gateway 10.0.0.12',
      '-I POSTROUTING 1 -j FAULTLINE-DUP',
      'COMMIT',
      '',
    ]);
    expect(iptablesUnhook('filter', 'X', 'INPUT')).toContain('iptables -w -t filter -X X');
    expect(delayRules([{ from: 'a', to: 'b' }], 3)).toEqual(['-s a/32 -d b/32 -j NFQUEUE --queue-num 3 --queue-bypass']);
  });

  it('a rate batch has an unlimited default class and one limited class per peer', () => {
    const s = tcRateBatch('n2', ['10.0.0.11', '10.0.0.13'], 4000);
    const lines = s.trim().split('\n');
    expect(lines[0]).toBe('qdisc add dev n2 root handle 1: htb default 1');
    expect(lines.filter((l) => l.includes('rate 4000kbit ceil 4000kbit'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('u32 match ip src 10.0.0.1'))).toHaveLength(2);
    expect(tcRateBatch('eth0', ['10.0.0.12'], 10, 'dst')).toContain('match ip dst 10.0.0.12/32 flowid 1:10');
  });
});
