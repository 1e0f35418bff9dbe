/**
 * Session guarantees (Terry et al. 1994) per client session, across nodes: a session is one
 * client process, which may talk to a different node for every op (as behind a load balancer).
 *
 * Ops: the keyed grow-only sets of ./keyed-set-history.ts: `write [k, v]` (v unique per key) and
 * `read [k, null]` → `[k, [v...]]` (or multi-key reads, each key checked on its own).
 * For reads of key k (only same-key relations are checkable with single-key reads):
 * - read-your-writes: a session's read contains every value the session wrote ok before it;
 * - monotonic-reads: a session's read contains everything its previous read of k contained;
 * - monotonic-writes: a read (by anyone) containing a session's write contains every earlier
 *   write of that session (failed writes excepted);
 * - writes-follow-reads: a read (by anyone) containing a session's write w contains everything
 *   that session's last read of k before w contained.
 * Reads of values nobody wrote before the read completed (`thin-air-read`) or whose write failed
 * (`aborted-read`) are violations too.
 * Evidence: `counts[type]` (also as `anomalyCounts`), `violations` (up to 100 per type: `{type, key, value, ops, read?}`
 * where `ops` are the two ops of the session that establish the order (earlier first) and
 * `read` the op that shows the violation when it is not one of them; each op as
 * `{index, process, node, f, value?}`), `sessions`, `sessionsOnSeveralNodes`. Checks op by op
 * too: every write is remembered, and a violation is definite when its read is judged.
 */
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { InvocationOrder } from '../invocation-order.ts';
import { foldChecker, type Fold } from '../online.ts';
import { opRef, parseSetWrite, readObservations, writtenTwice, type ImpossibleReads, type OpRef, type Scalar } from './keyed-set-history.ts';
import { SESSION_GUARANTEES, type SessionGuarantee } from './guarantees.ts';

export { SESSION_GUARANTEES, type SessionGuarantee } from './guarantees.ts';

const MAX_EXAMPLES = 100;

export interface SessionOptions {
  /** The guarantees to check (default all four). */
  guarantees?: readonly SessionGuarantee[];
}

export interface SessionViolation {
  type: SessionGuarantee;
  key: string;
  /** The value the read should have contained. */
  value: unknown;
  ops: [OpRef, OpRef];
  read?: OpRef;
}

interface SessionKey {
  /** Ok writes of the session to the key, in invocation order. */
  okWrites: WriteRec[];
  /** Non-failed writes (ok, info, pending), in invocation order: the monotonic-writes chain. */
  chain: WriteRec[];
  /** The session's last observation of the key. */
  lastObs: Observation | null;
}

interface WriteRec {
  invoke: Op;
  key: string;
  value: Scalar;
  session: number;
  /** 'ok' | 'fail' | 'info' once settled (never completed counts as info); null before. */
  type: string | null;
  /** Its place in its session's chain for the key, from 1; 0 for a failed write. */
  chainPos: number;
  /** The writer's last ok read of the key before it (its observation of the key, once judged). */
  dep: CompletedRead | undefined;
  /** The observation that last saw it (see `judge`). */
  mark: number;
}

/** One key of one ok read: the values it returned and their writes (null: nobody wrote it before the read completed). */
interface Observation {
  completion: Op;
  values: readonly unknown[];
  writes: Array<WriteRec | null>;
}

/** Per session, for the observation being judged: its writes seen, the highest in the chain and how many. */
interface Tally {
  serial: number;
  maxPos: number;
  top: WriteRec | null;
  count: number;
}

interface CompletedRead {
  invoke: Op;
  completion: Op;
  /** What it returned, by key. */
  returned: Array<[string, readonly unknown[]]>;
  /** Its observations, by key, once judged. */
  observed: Map<string, Observation>;
}

/**
 * The check as a fold over ops (see checkers/online.ts). Writes and reads are walked in
 * invocation order (../invocation-order.ts), each read once the writes invoked before it
 * completed have settled: only those can be what it read, and a value none of them wrote is
 * thin air. Every write is remembered (a later read may show it), with the observation its
 * writer had made before it; a read is dropped once judged, kept only as its session's last
 * observation or some write's. A violation is definite when its read is judged.
 */
class SessionFold implements Fold {
  private readonly wanted: ReadonlySet<SessionGuarantee>;
  private readonly order = new InvocationOrder((invoke, completion) => this.walk(invoke, completion), (op) => typeof op.process === 'number' && (op.f === 'write' || op.f === 'read'));
  /** Writes by key and value, from their invocation. */
  private readonly written = new Map<string, Map<unknown, WriteRec>>();
  /** Writes in invocation order, from `head` on the ones not settled yet. */
  private unsettled: WriteRec[] = [];
  private head = 0;
  private readonly openWrites = new Map<unknown, WriteRec>();
  private readonly openReads = new Map<unknown, Op>();
  /** Ok reads by their invocation, from their completion until the walk reaches them. */
  private readonly completedReads = new Map<Op, CompletedRead>();
  /** Each session's last ok read of each key. */
  private readonly lastRead = new Map<number, Map<string, CompletedRead>>();
  private waiting: CompletedRead[] = [];
  private waitHead = 0;
  private readonly state = new Map<number, Map<string, SessionKey>>();
  private readonly sessions = new Map<number, Tally>();
  private readonly nodesBySession = new Map<unknown, Set<string>>();
  private serial = 0;
  private reads = 0;
  private writes = 0;
  private readonly counts: Record<string, number> = {};
  private readonly violations: SessionViolation[] = [];
  private readonly perType = new Map<string, number>();
  private readonly impossible: ImpossibleReads = { thinAir: [], aborted: [], thinAirCount: 0, abortedCount: 0 };

  constructor(wanted: ReadonlySet<SessionGuarantee>) {
    this.wanted = wanted;
  }

  get violated(): boolean {
    return this.perType.size > 0 || this.impossible.thinAirCount > 0 || this.impossible.abortedCount > 0;
  }

  feed(op: Op): void {
    if (typeof op.process === 'number' && op.node !== undefined) {
      let nodes = this.nodesBySession.get(op.process);
      if (!nodes) this.nodesBySession.set(op.process, (nodes = new Set()));
      nodes.add(op.node);
    }
    if (op.type === 'invoke') {
      this.openWrites.delete(op.process);
      this.openReads.delete(op.process);
      if (typeof op.process === 'number' && op.f === 'write') this.invokeWrite(op, op.process);
      else if (typeof op.process === 'number' && op.f === 'read') this.openReads.set(op.process, op);
    } else {
      const w = this.openWrites.get(op.process);
      if (w) w.type = op.type;
      const read = this.openReads.get(op.process);
      if (read && op.type === 'ok') this.completeRead(read, op, op.process as number);
      this.openWrites.delete(op.process);
      this.openReads.delete(op.process);
    }
    this.order.feed(op);
    this.judgeReady();
  }

  private invokeWrite(op: Op, process: number): void {
    const [key, value] = parseSetWrite(op);
    let byKey = this.written.get(key);
    if (!byKey) this.written.set(key, (byKey = new Map()));
    const prior = byKey.get(value);
    if (prior) throw writtenTwice(op, key, value, prior.invoke.index);
    const w: WriteRec = { invoke: op, key, value, session: process, type: null, chainPos: 0, dep: this.lastRead.get(process)?.get(key), mark: -1 };
    byKey.set(value, w);
    this.unsettled.push(w);
    this.openWrites.set(op.process, w);
    this.writes++;
    this.sessionTally(process);
  }

  private completeRead(invoke: Op, completion: Op, process: number): void {
    const read: CompletedRead = { invoke, completion, returned: readObservations(invoke, completion), observed: new Map() };
    this.completedReads.set(invoke, read);
    let byKey = this.lastRead.get(process);
    if (!byKey) this.lastRead.set(process, (byKey = new Map()));
    for (const [key] of read.returned) byKey.set(key, read);
  }

  private sessionTally(process: number): Tally {
    let t = this.sessions.get(process);
    if (!t) this.sessions.set(process, (t = { serial: -1, maxPos: 0, top: null, count: 0 }));
    return t;
  }

  private stateOf(process: number, key: string): SessionKey {
    let byKey = this.state.get(process);
    if (!byKey) this.state.set(process, (byKey = new Map()));
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { okWrites: [], chain: [], lastObs: null }));
    return s;
  }

  /** The next invocation in invocation order has completed (or never will). */
  private walk(invoke: Op, completion: Op | undefined): void {
    // Reads waiting for the writes before this one are judged first.
    this.judgeReady();
    if (invoke.f === 'read') {
      const read = this.completedReads.get(invoke);
      this.completedReads.delete(invoke);
      if (read) this.waiting.push(read);
      return;
    }
    const w = this.unsettled[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.unsettled.length) {
      this.unsettled = this.unsettled.slice(this.head);
      this.head = 0;
    }
    w.type ??= 'info';
    if (w.type === 'fail') return;
    const s = this.stateOf(w.session, w.key);
    s.chain.push(w);
    w.chainPos = s.chain.length;
    if (w.type === 'ok') s.okWrites.push(w);
  }

  /** Judges, in invocation order, the reads whose writes (invoked before they completed) have settled. */
  private judgeReady(): void {
    while (this.waitHead < this.waiting.length) {
      const read = this.waiting[this.waitHead]!;
      const next = this.unsettled[this.head];
      if (next && next.invoke.index < read.completion.index) break;
      this.waitHead++;
      this.judge(read);
    }
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitHead = 0;
    }
  }

  private report(v: SessionViolation): void {
    this.counts[v.type] = (this.counts[v.type] ?? 0) + 1;
    const n = this.perType.get(v.type) ?? 0;
    if (n < MAX_EXAMPLES) this.violations.push(v);
    this.perType.set(v.type, n + 1);
  }

  /** The first value of `o` that the observation being judged (marked `serial`) lacks, or -1. */
  private firstMissing(o: Observation): number {
    return o.writes.findIndex((w) => w !== null && w.mark !== this.serial);
  }

  private judge(read: CompletedRead): void {
    const { invoke, completion } = read;
    this.reads++;
    const process = invoke.process as number;
    this.sessionTally(process);
    const before = invoke.index;
    const wanted = this.wanted;
    for (const [key, values] of read.returned) {
      const byKey = this.written.get(key);
      const writes = values.map((v) => {
        const w = byKey?.get(v);
        return w && w.invoke.index < completion.index ? w : null;
      });
      const o: Observation = { completion, values, writes };
      this.impossibleIn(o, key);
      const me = this.stateOf(process, key);
      const serial = ++this.serial;
      const touched: Tally[] = [];
      let ownSeen = 0;
      for (const w of writes) {
        if (w === null || w.mark === serial) continue;
        w.mark = serial;
        if (w.session === process && w.type === 'ok') ownSeen++;
        // Only writes invoked before the read began are in their session's chain as of the read.
        if (w.chainPos === 0 || w.invoke.index > before) continue;
        const t = this.sessions.get(w.session)!;
        if (t.serial !== serial) {
          t.serial = serial;
          t.maxPos = 0;
          t.count = 0;
          touched.push(t);
        }
        t.count++;
        if (w.chainPos > t.maxPos) {
          t.maxPos = w.chainPos;
          t.top = w;
        }
      }
      // A read waiting behind an earlier one is judged after writes invoked later: not its session's.
      let mine = me.okWrites.length;
      while (mine > 0 && me.okWrites[mine - 1]!.invoke.index > before) mine--;
      if (wanted.has('read-your-writes') && ownSeen < mine) {
        const missing = me.okWrites.find((w) => w.mark !== serial)!;
        this.report({ type: 'read-your-writes', key, value: missing.value, ops: [opRef(missing.invoke, true), opRef(completion, false)] });
      }
      if (wanted.has('monotonic-reads') && me.lastObs) {
        const j = this.firstMissing(me.lastObs);
        if (j >= 0) this.report({ type: 'monotonic-reads', key, value: me.lastObs.values[j], ops: [opRef(me.lastObs.completion, false), opRef(completion, false)] });
      }
      for (const t of touched) {
        const top = t.top!;
        if (wanted.has('monotonic-writes') && t.count < t.maxPos) {
          const chain = this.stateOf(top.session, key).chain;
          const missing = chain.find((w, i) => i < t.maxPos && w.mark !== serial)!;
          this.report({ type: 'monotonic-writes', key, value: missing.value, ops: [opRef(missing.invoke, true), opRef(top.invoke, true)], read: opRef(completion, false) });
        }
        const d = top.dep?.observed.get(key);
        if (wanted.has('writes-follow-reads') && d) {
          const j = this.firstMissing(d);
          if (j >= 0) this.report({ type: 'writes-follow-reads', key, value: d.values[j], ops: [opRef(d.completion, false), opRef(top.invoke, true)], read: opRef(completion, false) });
        }
      }
      me.lastObs = o;
      read.observed.set(key, o);
    }
  }

  /** Counts the values of `o` nobody wrote before the read completed, or whose write failed. */
  private impossibleIn(o: Observation, key: string): void {
    const out = this.impossible;
    const read = o.completion.index;
    o.writes.forEach((w, j) => {
      if (w === null) {
        out.thinAirCount++;
        if (out.thinAir.length < MAX_EXAMPLES) out.thinAir.push({ read, key, value: o.values[j] });
      } else if (w.type === 'fail') {
        out.abortedCount++;
        if (out.aborted.length < MAX_EXAMPLES) out.aborted.push({ read, write: w.invoke.index, key, value: o.values[j] });
      }
    });
  }

  result(): CheckResult {
    this.order.finish();
    this.judgeReady();
    const counts = this.counts;
    const impossible = this.impossible;
    if (impossible.thinAirCount > 0) counts['thin-air-read'] = impossible.thinAirCount;
    if (impossible.abortedCount > 0) counts['aborted-read'] = impossible.abortedCount;
    let several = 0;
    for (const s of this.nodesBySession.values()) if (s.size > 1) several++;
    const anomalyTypes = Object.keys(counts).sort();
    const result: CheckResult = {
      valid: anomalyTypes.length === 0,
      guarantees: [...this.wanted],
      counts,
      anomalyCounts: counts,
      violations: this.violations,
      thinAir: impossible.thinAir,
      aborted: impossible.aborted,
      sessions: this.sessions.size,
      sessionsOnSeveralNodes: several,
      reads: this.reads,
      writes: this.writes,
    };
    if (anomalyTypes.length > 0) result.anomalyTypes = anomalyTypes;
    return result;
  }
}

/** The session-guarantee checker; it also checks op by op (`begin`). */
export function sessionGuarantees(opts: SessionOptions = {}) {
  const wanted = new Set<SessionGuarantee>(opts.guarantees ?? SESSION_GUARANTEES);
  return foldChecker('session', () => new SessionFold(wanted));
}
