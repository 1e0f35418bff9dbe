// Pure parts of etcd membership change: member lists as the gateway returns them, the
// --initial-cluster of a member just added (found by peer URL: its name is empty until it starts),
// and which replies are refusals (retried) rather than unknown outcomes.
import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '../../core/provider.ts';
import { initialCluster, nodeOfMember, parseMembers, refused } from './members.ts';

const nodes: NodeInfo[] = [1, 2, 3].map((i) => ({ name: `n${i}`, address: `10.231.1.${i + 1}` }));
const peerUrl = (n: NodeInfo): string => `http://${n.address}:2380`;

// A member-add reply of etcd 3.4: the added member has an ID and peer URLs, no name yet.
const addReply = {
  header: { cluster_id: '17300438976491492131', member_id: '13668033151171901709', raft_term: '2' },
  member: { ID: '4156611047815918354', peerURLs: ['http://10.231.1.4:2380'] },
  members: [
    { ID: '185828541645115251', name: 'n2', peerURLs: ['http://10.231.1.3:2380'], clientURLs: ['http://10.231.1.3:2379'] },
    { ID: '4156611047815918354', peerURLs: ['http://10.231.1.4:2380'] },
    { ID: '13668033151171901709', name: 'n1', peerURLs: ['http://10.231.1.2:2380'], clientURLs: ['http://10.231.1.2:2379'], isLearner: false },
  ],
};

describe('etcd member lists', () => {
  it('parses IDs as strings, a missing name as empty', () => {
    expect(parseMembers(addReply)).toEqual([
      { id: '185828541645115251', name: 'n2', peerUrls: ['http://10.231.1.3:2380'], isLearner: false },
      { id: '4156611047815918354', name: '', peerUrls: ['http://10.231.1.4:2380'], isLearner: false },
      { id: '13668033151171901709', name: 'n1', peerUrls: ['http://10.231.1.2:2380'], isLearner: false },
    ]);
    expect(parseMembers({})).toEqual([]);
  });

  it('finds a member\'s node by its peer URL, not its name', () => {
    const [, added] = parseMembers(addReply);
    expect(nodeOfMember(added!, nodes, peerUrl)).toBe('n3');
    expect(nodeOfMember({ id: '1', name: 'n1', peerUrls: ['http://10.9.9.9:2380'], isLearner: false }, nodes, peerUrl)).toBeUndefined();
  });

  it('names every member in --initial-cluster, the one just added under its node name', () => {
    expect(initialCluster(parseMembers(addReply), nodes, peerUrl)).toBe('n2=http://10.231.1.3:2380,n3=http://10.231.1.4:2380,n1=http://10.231.1.2:2380');
  });
});

describe('refusals of a membership change', () => {
  const err = (grpcCode: number, message: string) => ({ kind: 'error' as const, status: 503, grpcCode, message });

  it('the strict reconfiguration check and definite rejections are refusals', () => {
    expect(refused(err(14, 'etcdserver: unhealthy cluster'))).toBe(true);
    expect(refused(err(9, 'etcdserver: re-configuration failed due to not enough started members'))).toBe(true);
    expect(refused(err(9, 'etcdserver: Peer URLs already exists'))).toBe(true);
    expect(refused({ kind: 'transport', sent: false, code: 'ECONNREFUSED', message: 'refused' })).toBe(true);
  });

  it('a timeout after sending, or a proposal that timed out, is not: it may still happen', () => {
    expect(refused(err(14, 'etcdserver: request timed out'))).toBe(false);
    expect(refused({ kind: 'transport', sent: true, code: 'timeout', message: 'no reply' })).toBe(false);
  });
});
