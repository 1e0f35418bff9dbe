/**
 * A Raft node: leader election, log replication, commitment, linearizable reads through a read
 * index, and the key-value state machine applied from the committed log. Pure logic over a
 * Runtime (no I/O of its own), so it runs both as a real process and in the simulator.
 *
 * Safety details beyond the paper's figure 2: every reply that promises something (a vote, an
 * append) is sent only after the state behind it is durable; followers that heard from a leader
 * within the minimum election timeout ignore vote requests (sticky leader, which is also what
 * would make a clock-free lease sound); a new leader appends a no-op and serves reads only once
 * it is committed and a heartbeat round started after the read was acknowledged by a majority.
 * A leader cut off from the majority stays leader until it hears of a higher term: its writes
 * and reads time out (indefinite) rather than being rejected.
 *
 * Bug flags switch single mechanisms off, for testing the harness:
 *   stale-reads     followers and candidates serve reads from their own state
 *   no-fsync        replies and acknowledgements do not wait for the disk (and the real disk
 *                   buffers writes in the process for seconds: see real/file-storage.ts)
 *   lazy-fsync      the disk never fsyncs but writes everything to its files at once, keeping
 *                   nothing in the process (the node logic is unchanged; registry.ts picks the
 *                   `unsynced` disk): kills lose nothing, a power loss loses acknowledged writes
 *   lease-reads     the leader serves reads during a lease measured with the wall clock
 *   volatile-votes  the vote is never written to disk, so a restarted node may vote twice in a term
 *   member-counted-early  a node added to the configuration counts towards the commit quorum as if
 *                   it held the leader's whole log, until it first acknowledges an append
 *
 * Membership: the voting members are those of the last `config` entry in the log (committed or
 * not), else every node. `changeMembers` adds or removes one node at a time, only once the
 * previous change and an entry of the leader's term are committed, and never the leader itself;
 * the leader keeps replicating to every node, so a removed node learns of its removal (and stops
 * campaigning) and a node added back has kept up, unless it was cut off meanwhile.
 */
import { KvState } from '../kv-state.ts';
import { errorReply, isReadOnly, type StoreReply, type StoreRequest, type StoreStatus } from '../protocol.ts';
import type { Runtime, StoreNode, TimerHandle } from '../runtime.ts';
import { RaftLog } from './log.ts';
import type { AppendReply, AppendRequest, Command, Entry, RaftMessage, VoteReply, VoteRequest } from './messages.ts';
import { isRaftMessage } from './validate.ts';

export const RAFT_BUGS = ['stale-reads', 'no-fsync', 'lease-reads', 'volatile-votes', 'lazy-fsync', 'member-counted-early'] as const;
export type RaftBug = (typeof RAFT_BUGS)[number];

export interface RaftOptions {
  heartbeatMs: number;
  /** Minimum election timeout; each timeout is drawn from [electionMs, 2 * electionMs). */
  electionMs: number;
  /** A request not decided by then is answered `timeout` (indefinite). */
  requestTimeoutMs: number;
  /** Entries per append message. */
  maxBatch: number;
  bugs: ReadonlySet<RaftBug>;
}

export const DEFAULT_RAFT_OPTIONS: RaftOptions = {
  heartbeatMs: 50,
  electionMs: 400,
  requestTimeoutMs: 3000,
  maxBatch: 256,
  bugs: new Set(),
};

export type RaftRole = 'follower' | 'candidate' | 'leader' | 'stopped';

/**
 * A state machine other than the key-value one, fed the `app` commands of `propose` in log order
 * on every replica: `apply` must be deterministic (same ops in the same order, same replies).
 */
export interface AppMachine {
  apply(op: unknown): StoreReply;
}

interface PeerProgress {
  next: number;
  match: number;
  /** Highest heartbeat round this peer acknowledged in the current term. */
  seq: number;
  /** Monotonic time the outstanding append was sent, or null when none is outstanding. */
  inflightAt: number | null;
  /** The ref of the outstanding append: a late or duplicated reply to an older one does not end it. */
  inflightRef: number;
}

interface PendingWrite {
  term: number;
  deadline: number;
  done: (reply: StoreReply) => void;
}

interface PendingRead {
  req: StoreRequest;
  readIndex: number;
  /** The heartbeat round a majority must acknowledge before the read is served. */
  seq: number;
  deadline: number;
  done: (reply: StoreReply) => void;
}

/** A lease may last this fraction of the minimum election timeout (lease-reads bug only). */
const LEASE_FRACTION = 0.9;

export class RaftNode implements StoreNode<RaftMessage> {
  private readonly rt: Runtime<RaftMessage>;
  private readonly opts: RaftOptions;
  /** The voting members in effect (the last config entry in the log), sorted. */
  private members: string[];
  /** Index of the config entry in effect (0: none, every node votes). */
  private configIndex = 0;
  /** member-counted-early: added nodes counted as holding the whole log until they first acknowledge. */
  private readonly countedEarly = new Set<string>();

  private role: RaftRole = 'follower';
  private term = 0;
  private votedFor: string | null = null;
  private leader: string | null = null;
  private readonly log = new RaftLog();
  private commitIndex = 0;
  private lastApplied = 0;
  private readonly kv = new KvState();

  private electionDeadline = 0;
  private electionTimer: TimerHandle | undefined;
  private lastLeaderContact = -Infinity;
  private votes = new Set<string>();

  private progress = new Map<string, PeerProgress>();
  private selfMatch = 0;
  private flushRequested = 0;
  private termStart = 0;
  private seq = 0;
  /** The ref of the last append sent (see AppendRequest.ref). */
  private appendRef = 0;
  /** Reused by majorityValue, which runs on every append reply. */
  private readonly scratch: number[] = [];
  private readonly roundStart = new Map<number, number>();
  private leaseUntil = -Infinity;
  private heartbeatTimer: TimerHandle | undefined;
  /** A candidate's timer to ask again the peers that have not answered (lost or restarted). */
  private voteTimer: TimerHandle | undefined;
  private sweepTimer: TimerHandle | undefined;
  private tickScheduled = false;

  private readonly pendingWrites = new Map<number, PendingWrite[]>();
  private pendingReads: PendingRead[] = [];

  private readonly machine: AppMachine | undefined;
  /** The bug flags as status reports them (status runs after every simulated event). */
  private readonly bugList: string[];

  /** `machine`, when given, applies the ops of `propose` (a shard group's state, for example). */
  constructor(rt: Runtime<RaftMessage>, opts: Partial<RaftOptions> = {}, machine?: AppMachine) {
    this.rt = rt;
    this.opts = { ...DEFAULT_RAFT_OPTIONS, ...opts };
    this.machine = machine;
    this.bugList = [...this.opts.bugs];
    this.members = [rt.self, ...rt.peers].sort();
  }

  private get majority(): number {
    return Math.floor(this.members.length / 2) + 1;
  }

  private isMember(id: string): boolean {
    return this.members.includes(id);
  }

  /** Sets the configuration from the last config entry at or below `from` (after a truncation or at start). */
  private configFromLog(from: number): void {
    for (let i = from; i > 0; i--) {
      const c = this.log.command(i);
      if (c.kind === 'config') {
        this.configIndex = i;
        this.members = [...c.members].sort();
        return;
      }
    }
    this.configIndex = 0;
    this.members = [this.rt.self, ...this.rt.peers].sort();
  }

  private noteConfig(index: number, command: Command): void {
    if (command.kind !== 'config') return;
    this.configIndex = index;
    this.members = [...command.members].sort();
  }

  // ---- lifecycle ----

  start(): void {
    const { state, log } = this.rt.storage.load();
    if (state) {
      this.term = typeof state.term === 'number' ? state.term : 0;
      this.votedFor = typeof state.votedFor === 'string' ? state.votedFor : null;
    }
    for (const rec of log) this.log.push({ term: rec.term, command: rec.command as Command });
    this.configFromLog(this.log.lastIndex);
    this.rt.log(`recovered term ${this.term}, voted for ${this.votedFor ?? '-'}, ${this.log.lastIndex} log entries`);
    this.resetElectionDeadline();
    this.armElectionTimer();
  }

  stop(): void {
    if (this.role === 'stopped') return;
    this.role = 'stopped';
    for (const t of [this.electionTimer, this.heartbeatTimer, this.sweepTimer, this.voteTimer]) if (t) this.rt.clearTimer(t);
    for (const r of this.pendingReads) r.done(errorReply('unavailable', 'node stopping'));
    this.pendingReads = [];
    for (const list of this.pendingWrites.values()) {
      for (const w of list) w.done(errorReply('interrupted', 'node stopped before the write was decided'));
    }
    this.pendingWrites.clear();
  }

  status(): StoreStatus {
    return {
      node: this.rt.self,
      store: 'raft',
      role: this.role,
      term: this.term,
      leader: this.leader,
      bugs: this.bugList,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
      lastLogIndex: this.log.lastIndex,
      members: this.members,
    };
  }

  /** The term of the entry at `index` (-1 when absent): read-only view for tests and tools. */
  entryTerm(index: number): number {
    return this.log.termAt(index);
  }

  entryCommand(index: number): Command {
    return this.log.command(index);
  }

  // ---- client requests ----

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.role === 'stopped') return done(errorReply('unavailable', 'node stopped'));
    const deadline = this.rt.monotonic() + this.opts.requestTimeoutMs;
    if (isReadOnly(req)) {
      if (this.role !== 'leader') {
        if (this.opts.bugs.has('stale-reads')) return done(this.kv.apply(req));
        return done(this.notLeader());
      }
      const readIndex = Math.max(this.commitIndex, this.termStart);
      if (this.opts.bugs.has('lease-reads') && this.rt.now() < this.leaseUntil && this.lastApplied >= readIndex) {
        return done(this.kv.apply(req));
      }
      this.pendingReads.push({ req, readIndex, seq: this.seq + 1, deadline, done });
      this.scheduleSweep();
      this.scheduleTick();
      return;
    }
    if (this.role !== 'leader') return done(this.notLeader());
    const index = this.appendLocal({ kind: 'req', req });
    const list = this.pendingWrites.get(index) ?? [];
    list.push({ term: this.term, deadline, done });
    this.pendingWrites.set(index, list);
    this.scheduleSweep();
    this.scheduleTick();
  }

  /**
   * Appends an op for the `machine` to the log; `done` gets its reply once it is committed and
   * applied (`not-leader` at once on a follower, `timeout` when not decided in time).
   */
  propose(op: unknown, done: (reply: StoreReply) => void): void {
    if (this.role === 'stopped') return done(errorReply('unavailable', 'node stopped'));
    if (this.role !== 'leader') return done(this.notLeader());
    if (!this.machine) return done(errorReply('internal', 'this raft node has no state machine for proposals'));
    const index = this.appendLocal({ kind: 'app', op });
    const list = this.pendingWrites.get(index) ?? [];
    list.push({ term: this.term, deadline: this.rt.monotonic() + this.opts.requestTimeoutMs, done });
    this.pendingWrites.set(index, list);
    this.scheduleSweep();
    this.scheduleTick();
  }

  /**
   * Adds or removes one voting member: `{add: "n4"}` or `{remove: "n4"}`. Leader only; refused
   * (`unavailable`, definite) while an earlier change or the leader's first entry of its term is
   * not committed, or for the leader itself. `done` once the new configuration is committed.
   */
  changeMembers(change: { add?: string; remove?: string }, done: (reply: StoreReply) => void): void {
    if (this.role === 'stopped') return done(errorReply('unavailable', 'node stopped'));
    if (this.role !== 'leader') return done(this.notLeader());
    const node = change.add ?? change.remove;
    const all = [this.rt.self, ...this.rt.peers];
    if (!node || (change.add !== undefined) === (change.remove !== undefined) || !all.includes(node)) {
      return done(errorReply('bad-request', `give one of add / remove, naming a node of ${all.join(', ')}`));
    }
    if (this.configIndex > this.commitIndex || this.commitIndex < this.termStart) {
      return done(errorReply('unavailable', 'an earlier membership change or this term\'s first entry is not committed yet'));
    }
    if (change.remove === this.rt.self) return done(errorReply('unavailable', 'the leader does not remove itself'));
    const members = change.add ? [...new Set([...this.members, change.add])] : this.members.filter(m => m !== change.remove);
    if (members.length === this.members.length) return done({ ok: true, value: this.members });
    const index = this.appendLocal({ kind: 'config', members });
    this.noteConfig(index, { kind: 'config', members });
    if (change.add && this.opts.bugs.has('member-counted-early')) this.countedEarly.add(change.add);
    const list = this.pendingWrites.get(index) ?? [];
    list.push({ term: this.term, deadline: this.rt.monotonic() + this.opts.requestTimeoutMs, done });
    this.pendingWrites.set(index, list);
    this.rt.log(`configuration ${members.join(',')} proposed at ${index}`);
    this.scheduleSweep();
    this.scheduleTick();
  }

  /** `members` with body `{"add": id}` or `{"remove": id}`: see `changeMembers`. */
  admin(command: string, body: unknown, done: (reply: StoreReply) => void): void {
    if (command !== 'members') return done(errorReply('unknown-op', `unknown operator command ${command} (members)`));
    const b = (typeof body === 'object' && body !== null ? body : {}) as { add?: unknown; remove?: unknown };
    this.changeMembers(
      { ...(typeof b.add === 'string' ? { add: b.add } : {}), ...(typeof b.remove === 'string' ? { remove: b.remove } : {}) },
      done,
    );
  }

  private notLeader(): StoreReply {
    const who = this.leader && this.leader !== this.rt.self ? `; leader is ${this.leader}` : '; leader unknown';
    return errorReply(
      'not-leader',
      `node ${this.rt.self} is ${this.role} in term ${this.term}${who}`,
      this.leader && this.leader !== this.rt.self ? { leader: { id: this.leader } } : {},
    );
  }

  // ---- messages ----

  receive(from: string, msg: RaftMessage): void {
    if (this.role === 'stopped') return;
    if (!this.rt.peers.includes(from) || !isRaftMessage(msg)) {
      this.rt.log(`dropped a malformed message from ${from}`);
      return;
    }
    switch (msg.type) {
      case 'vote':
        return this.onVote(from, msg);
      case 'vote-reply':
        return this.onVoteReply(from, msg);
      case 'append':
        return this.onAppend(from, msg);
      case 'append-reply':
        return this.onAppendReply(from, msg);
    }
  }

  private onVote(from: string, m: VoteRequest): void {
    if (m.term > this.term) {
      // A removed node never hears of its removal and keeps campaigning: a leader ignores it.
      const recentLeader =
        (this.role === 'follower' && this.leader !== null && this.rt.monotonic() - this.lastLeaderContact < this.opts.electionMs) ||
        (this.role === 'leader' && !this.isMember(from));
      if (recentLeader) {
        this.rt.send(from, { type: 'vote-reply', term: this.term, granted: false });
        return;
      }
      this.becomeFollower(m.term, null);
    }
    const upToDate =
      m.lastLogTerm > this.log.lastTerm || (m.lastLogTerm === this.log.lastTerm && m.lastLogIndex >= this.log.lastIndex);
    const grant =
      m.term === this.term &&
      this.role === 'follower' &&
      (this.votedFor === null || this.votedFor === from) &&
      upToDate;
    if (grant) {
      this.votedFor = from;
      this.persistState();
      this.resetElectionDeadline();
    }
    const term = this.term;
    this.afterDurable(() => {
      if (this.term === term) this.rt.send(from, { type: 'vote-reply', term, granted: grant });
    });
  }

  private onVoteReply(from: string, m: VoteReply): void {
    if (m.term > this.term) return this.becomeFollower(m.term, null);
    if (this.role !== 'candidate' || m.term !== this.term || !m.granted || !this.isMember(from)) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  private onAppend(from: string, m: AppendRequest): void {
    if (m.term < this.term) {
      this.rt.send(from, { type: 'append-reply', term: this.term, success: false, matchIndex: 0, hint: 0, seq: m.seq, ref: m.ref });
      return;
    }
    if (m.term > this.term || this.role !== 'follower') this.becomeFollower(m.term, from);
    this.leader = from;
    this.lastLeaderContact = this.rt.monotonic();
    this.resetElectionDeadline();

    let reply: AppendReply;
    if (m.prevIndex > this.log.lastIndex) {
      reply = this.appendFailure(m, this.log.lastIndex + 1);
    } else if (this.log.termAt(m.prevIndex) !== m.prevTerm) {
      reply = this.appendFailure(m, Math.max(1, this.log.firstIndexOfTerm(m.prevIndex)));
    } else {
      this.acceptEntries(m.prevIndex, m.entries);
      const match = m.prevIndex + m.entries.length;
      const commit = Math.min(m.commit, match);
      if (commit > this.commitIndex) {
        this.commitIndex = commit;
        this.apply();
      }
      reply = { type: 'append-reply', term: this.term, success: true, matchIndex: match, hint: 0, seq: m.seq, ref: m.ref };
    }
    const term = this.term;
    this.afterDurable(() => {
      if (this.term === term && this.role === 'follower') this.rt.send(from, reply);
    });
  }

  private appendFailure(m: AppendRequest, hint: number): AppendReply {
    return { type: 'append-reply', term: this.term, success: false, matchIndex: 0, hint, seq: m.seq, ref: m.ref };
  }

  /** Appends what is new, truncating our log at the first entry that conflicts with the leader's. */
  private acceptEntries(prevIndex: number, entries: readonly Entry[]): void {
    let index = prevIndex;
    const fresh: Entry[] = [];
    for (const e of entries) {
      index++;
      if (fresh.length === 0 && index <= this.log.lastIndex) {
        if (this.log.termAt(index) === e.term) continue;
        if (index <= this.commitIndex) this.rt.log(`BUG: truncating committed entry ${index}`);
        this.log.truncateFrom(index);
        this.rt.storage.truncate(index);
        if (index <= this.configIndex) this.configFromLog(index - 1);
      }
      fresh.push(e);
    }
    if (fresh.length === 0) return;
    for (const e of fresh) this.noteConfig(this.log.push(e), e.command);
    this.rt.storage.append(fresh.map(e => ({ term: e.term, command: e.command })));
  }

  private onAppendReply(from: string, m: AppendReply): void {
    if (m.term > this.term) return this.becomeFollower(m.term, null);
    const p = this.progress.get(from);
    if (this.role !== 'leader' || m.term !== this.term || !p) return;
    // What a reply says about the follower holds whichever append it answers; only the reply to
    // the outstanding append ends it and may move `next` back, so duplicated or late replies
    // cannot multiply the appends in flight.
    const current = m.ref === p.inflightRef;
    if (current) p.inflightAt = null;
    if (m.seq > p.seq) {
      p.seq = m.seq;
      this.extendLease();
    }
    if (m.success) {
      this.countedEarly.delete(from);
      if (m.matchIndex > p.match) p.match = m.matchIndex;
      p.next = Math.max(p.next, p.match + 1);
      this.advanceCommit();
    } else if (current) {
      p.next = Math.max(p.match + 1, Math.min(m.hint, p.next - 1));
    }
    this.serveReads();
    // The next append goes out from the tick, batching with other replies and requests of this turn.
    if (current && this.role === 'leader' && this.hasWork(p)) this.scheduleTick();
  }

  // ---- roles ----

  private becomeFollower(term: number, leader: string | null): void {
    const wasLeader = this.role === 'leader';
    this.stopAskingVotes();
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
      this.persistState();
    }
    this.role = 'follower';
    this.leader = leader;
    if (wasLeader) {
      this.rt.log(`stepped down in term ${this.term}`);
      if (this.heartbeatTimer) this.rt.clearTimer(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
      this.leaseUntil = -Infinity;
      this.roundStart.clear();
      for (const r of this.pendingReads) r.done(this.notLeader());
      this.pendingReads = [];
      this.resetElectionDeadline();
      this.armElectionTimer();
    }
  }

  private startElection(): void {
    this.stopAskingVotes();
    if (!this.isMember(this.rt.self)) {
      // Not a voting member: wait to be added back (or for a leader's appends).
      this.resetElectionDeadline();
      this.armElectionTimer();
      return;
    }
    this.term++;
    this.role = 'candidate';
    this.votedFor = this.rt.self;
    this.leader = null;
    this.votes = new Set([this.rt.self]);
    this.persistState();
    this.resetElectionDeadline();
    this.armElectionTimer();
    this.rt.log(`election for term ${this.term}`);
    const term = this.term;
    this.afterDurable(() => {
      if (this.role !== 'candidate' || this.term !== term) return;
      if (this.votes.size >= this.majority) return this.becomeLeader();
      this.askVotes(term);
    });
  }

  /**
   * Asks every peer that has not granted its vote yet, then again each heartbeat interval until
   * the election ends: a request sent to a peer that was down or restarting is not lost for the
   * whole term.
   */
  private askVotes(term: number): void {
    this.voteTimer = undefined;
    if (this.role !== 'candidate' || this.term !== term) return;
    const ask: VoteRequest = { type: 'vote', term, lastLogIndex: this.log.lastIndex, lastLogTerm: this.log.lastTerm };
    for (const peer of this.rt.peers) if (!this.votes.has(peer)) this.rt.send(peer, ask);
    this.voteTimer = this.rt.setTimer(this.opts.heartbeatMs, () => this.askVotes(term));
  }

  private stopAskingVotes(): void {
    if (this.voteTimer) this.rt.clearTimer(this.voteTimer);
    this.voteTimer = undefined;
  }

  private becomeLeader(): void {
    this.stopAskingVotes();
    this.role = 'leader';
    this.leader = this.rt.self;
    this.rt.log(`leader for term ${this.term}`);
    if (this.electionTimer) this.rt.clearTimer(this.electionTimer);
    this.electionTimer = undefined;
    this.progress = new Map(this.rt.peers.map(p => [p, { next: this.log.lastIndex + 1, match: 0, seq: 0, inflightAt: null, inflightRef: 0 }]));
    this.countedEarly.clear();
    // Everything in the log was flushed before the votes were requested.
    this.selfMatch = this.log.lastIndex;
    this.flushRequested = this.log.lastIndex;
    this.seq = 0;
    this.roundStart.clear();
    this.leaseUntil = -Infinity;
    this.termStart = this.appendLocal({ kind: 'noop' });
    this.scheduleTick();
    this.heartbeatTimer = this.rt.setTimer(this.opts.heartbeatMs, () => this.onHeartbeat());
  }

  // ---- leader duties ----

  private appendLocal(command: Command): number {
    const entry: Entry = { term: this.term, command };
    this.rt.storage.append([{ term: entry.term, command }]);
    return this.log.push(entry);
  }

  private scheduleTick(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    this.rt.defer(() => {
      this.tickScheduled = false;
      this.tick();
    });
  }

  /** Batches what accumulated since the last tick: one flush, one append per idle peer. */
  private tick(): void {
    if (this.role !== 'leader') return;
    if (this.log.lastIndex > this.flushRequested) {
      const upTo = this.log.lastIndex;
      const term = this.term;
      this.flushRequested = upTo;
      this.afterDurable(() => {
        if (this.role !== 'leader' || this.term !== term || upTo <= this.selfMatch) return;
        this.selfMatch = upTo;
        this.advanceCommit();
      });
    }
    if (this.pendingReads.some(r => r.seq > this.seq)) this.startRound();
    for (const [peer, p] of this.progress) if (this.hasWork(p)) this.sendAppend(peer, p);
    this.serveReads();
  }

  /** Whether a peer lacks entries or has not seen the current heartbeat round. */
  private hasWork(p: PeerProgress): boolean {
    return p.next <= this.log.lastIndex || p.seq < this.seq;
  }

  private onHeartbeat(): void {
    this.heartbeatTimer = undefined;
    if (this.role !== 'leader') return;
    this.startRound();
    for (const [peer, p] of this.progress) this.sendAppend(peer, p);
    this.heartbeatTimer = this.rt.setTimer(this.opts.heartbeatMs, () => this.onHeartbeat());
  }

  private startRound(): void {
    this.seq++;
    if (this.opts.bugs.has('lease-reads')) {
      this.roundStart.set(this.seq, this.rt.now());
      this.roundStart.delete(this.seq - 64);
    }
  }

  private sendAppend(peer: string, p: PeerProgress): void {
    const now = this.rt.monotonic();
    if (p.inflightAt !== null && now - p.inflightAt < 2 * this.opts.heartbeatMs) return;
    p.next = Math.min(Math.max(p.next, p.match + 1), this.log.lastIndex + 1);
    const prevIndex = p.next - 1;
    const last = Math.min(this.log.lastIndex, prevIndex + this.opts.maxBatch);
    const msg: AppendRequest = {
      type: 'append',
      term: this.term,
      prevIndex,
      prevTerm: this.log.termAt(prevIndex),
      entries: this.log.slice(p.next, last),
      commit: this.commitIndex,
      seq: this.seq,
      ref: ++this.appendRef,
    };
    p.inflightAt = now;
    p.inflightRef = msg.ref;
    this.rt.send(peer, msg);
  }

  private advanceCommit(): void {
    const n = this.majorityValue(this.selfMatch, (p, id) => (this.countedEarly.has(id) ? this.log.lastIndex : p.match));
    if (n > this.commitIndex && this.log.termAt(n) === this.term) {
      this.commitIndex = n;
      this.apply();
    }
  }

  /** The highest heartbeat round a majority (this leader included) has acknowledged. */
  private confirmedSeq(): number {
    return this.majorityValue(this.seq, p => p.seq);
  }

  /** The highest value a majority of the voting members (this leader's `own` when it is one) has reached. */
  private majorityValue(own: number, of: (p: PeerProgress, id: string) => number): number {
    // Insertion into a descending list: clusters are small, and this runs on every append reply.
    const values = this.scratch;
    values.length = 0;
    if (this.isMember(this.rt.self)) values.push(own);
    for (const [id, p] of this.progress) {
      if (!this.isMember(id)) continue;
      const v = of(p, id);
      let i = values.length;
      values.push(v);
      for (; i > 0 && values[i - 1]! < v; i--) values[i] = values[i - 1]!;
      values[i] = v;
    }
    return values[this.majority - 1] ?? 0;
  }

  private extendLease(): void {
    if (!this.opts.bugs.has('lease-reads')) return;
    const started = this.roundStart.get(this.confirmedSeq());
    if (started !== undefined) {
      this.leaseUntil = Math.max(this.leaseUntil, started + LEASE_FRACTION * this.opts.electionMs);
    }
  }

  private serveReads(): void {
    if (this.pendingReads.length === 0 || this.role !== 'leader') return;
    const confirmed = this.confirmedSeq();
    const waiting: PendingRead[] = [];
    for (const r of this.pendingReads) {
      if (r.seq <= confirmed && r.readIndex <= this.lastApplied) r.done(this.kv.apply(r.req));
      else waiting.push(r);
    }
    this.pendingReads = waiting;
  }

  // ---- state machine ----

  private apply(): void {
    while (this.lastApplied < this.commitIndex) {
      const index = ++this.lastApplied;
      const command = this.log.command(index);
      const result: StoreReply =
        command.kind === 'req'
          ? this.kv.apply(command.req)
          : command.kind === 'app'
            ? (this.machine?.apply(command.op) ?? errorReply('internal', 'no state machine'))
            : command.kind === 'config'
              ? { ok: true, value: command.members }
              : { ok: true };
      const waiting = this.pendingWrites.get(index);
      if (!waiting) continue;
      this.pendingWrites.delete(index);
      const term = this.log.termAt(index);
      for (const w of waiting) {
        w.done(w.term === term ? result : errorReply('dropped', `log entry ${index} was replaced by another leader`));
      }
    }
    this.serveReads();
  }

  // ---- timers and persistence ----

  private resetElectionDeadline(): void {
    this.electionDeadline = this.rt.monotonic() + this.opts.electionMs * (1 + this.rt.random());
  }

  private armElectionTimer(): void {
    if (this.electionTimer) this.rt.clearTimer(this.electionTimer);
    const wait = Math.max(1, this.electionDeadline - this.rt.monotonic());
    this.electionTimer = this.rt.setTimer(wait, () => this.onElectionTimer());
  }

  private onElectionTimer(): void {
    this.electionTimer = undefined;
    if (this.role === 'stopped' || this.role === 'leader') return;
    if (this.rt.monotonic() < this.electionDeadline) return this.armElectionTimer();
    this.startElection();
  }

  /** Arms the sweep that times out undecided requests, while there are any (an idle node keeps no timer for it). */
  private scheduleSweep(): void {
    if (this.sweepTimer !== undefined || this.role === 'stopped') return;
    const every = Math.max(10, Math.min(100, this.opts.requestTimeoutMs / 4));
    this.sweepTimer = this.rt.setTimer(every, () => {
      this.sweepTimer = undefined;
      this.expireRequests();
      if (this.pendingReads.length > 0 || this.pendingWrites.size > 0) this.scheduleSweep();
    });
  }

  private expireRequests(): void {
    const now = this.rt.monotonic();
    const timeout = (): StoreReply => errorReply('timeout', `not decided within ${this.opts.requestTimeoutMs} ms`);
    const waiting: PendingRead[] = [];
    for (const r of this.pendingReads) {
      if (r.deadline <= now) r.done(timeout());
      else waiting.push(r);
    }
    this.pendingReads = waiting;
    for (const [index, list] of this.pendingWrites) {
      const keep = list.filter(w => w.deadline > now);
      for (const w of list) if (w.deadline <= now) w.done(timeout());
      if (keep.length === 0) this.pendingWrites.delete(index);
      else this.pendingWrites.set(index, keep);
    }
  }

  private persistState(): void {
    const votedFor = this.opts.bugs.has('volatile-votes') ? null : this.votedFor;
    this.rt.storage.saveState({ term: this.term, votedFor });
  }

  /** Runs `fn` once everything written so far is on disk (at once, with the no-fsync bug). */
  private afterDurable(fn: () => void): void {
    if (this.opts.bugs.has('no-fsync')) {
      this.rt.storage.flush(() => {});
      fn();
    } else {
      this.rt.storage.flush(fn);
    }
  }
}
