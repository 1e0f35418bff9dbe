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
 * Reads of values nobody wrote (`thin-air-read`) or whose write failed (`aborted-read`) are
 * violations too.
 * Evidence: `counts[type]` (also as `anomalyCounts`), `violations` (up to 100 per type: `{type, key, value, ops, read?}`
 * where `ops` are the two ops of the session that establish the order (earlier first) and
 * `read` the op that shows the violation when it is not one of them; each op as
 * `{index, process, node, f, value?}`), `sessions`, `sessionsOnSeveralNodes`.
 */
import type { Checker } from '../../src/core/checker.ts';
import type { History } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { impossibleReads, parseKeyedSetHistory, ref, type OpRef } from './keyed-set-history.ts';
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
  /** Ok writes of the session to the key, in order. */
  okWrites: number[];
  /** Non-failed writes (ok, info, pending), in order: the monotonic-writes chain. */
  chain: number[];
  /** The session's last observation of the key, or -1. */
  lastObs: number;
}

export function sessionGuarantees(opts: SessionOptions = {}) {
  const wanted = new Set<SessionGuarantee>(opts.guarantees ?? SESSION_GUARANTEES);
  return {
    name: 'session',
    check(history: History): CheckResult {
      const h = parseKeyedSetHistory(history);
      const { writes, reads, obs, seen } = h;
      const W = writes.count;
      const chainPos = new Int32Array(W);
      /** The writer's last observation of the key before each write, or -1. */
      const dep = new Int32Array(W).fill(-1);
      const sessionOf = new Int32Array(W);
      const sessionIds = new Map<number, number>();
      const dense = (p: number): number => {
        let s = sessionIds.get(p);
        if (s === undefined) sessionIds.set(p, (s = sessionIds.size));
        return s;
      };
      for (let w = 0; w < W; w++) sessionOf[w] = dense(writes.process[w]!);
      for (let r = 0; r < reads.count; r++) dense(reads.process[r]!);
      const S = sessionIds.size;

      const counts: Record<string, number> = {};
      const violations: SessionViolation[] = [];
      const perType = new Map<string, number>();
      const report = (v: SessionViolation): void => {
        counts[v.type] = (counts[v.type] ?? 0) + 1;
        const n = perType.get(v.type) ?? 0;
        if (n < MAX_EXAMPLES) violations.push(v);
        perType.set(v.type, n + 1);
      };
      const writeRef = (w: number): OpRef => ref(history, writes.invokeIndex[w]!, true);
      const obsRef = (o: number): OpRef => ref(history, reads.completionIndex[obs.read[o]!]!, false);

      const state = new Map<number, Map<string, SessionKey>>();
      const stateOf = (p: number, k: string): SessionKey => {
        let byKey = state.get(p);
        if (!byKey) state.set(p, (byKey = new Map()));
        let s = byKey.get(k);
        if (!s) byKey.set(k, (s = { okWrites: [], chain: [], lastObs: -1 }));
        return s;
      };
      const mark = new Int32Array(W).fill(-1);
      const stampS = new Int32Array(S).fill(-1);
      const maxPos = new Int32Array(S);
      const cnt = new Int32Array(S);
      const maxW = new Int32Array(S);
      const touched: number[] = [];
      let serial = -1;
      /** The first value of observation o that the current one (marked `serial`) lacks, or -1. */
      const firstMissing = (o: number): number => {
        for (let i = obs.start[o]!; i < obs.end[o]!; i++) {
          const w = seen[i]!;
          if (w >= 0 && mark[w] !== serial) return i - obs.start[o]!;
        }
        return -1;
      };

      // Walk writes and reads together in invocation order.
      let wi = 0;
      for (let r = 0; r <= reads.count; r++) {
        const until = r < reads.count ? reads.invokeIndex[r]! : Infinity;
        for (; wi < W && writes.invokeIndex[wi]! < until; wi++) {
          if (writes.type[wi] === 'fail') continue;
          const s = stateOf(writes.process[wi]!, writes.key[wi]!);
          s.chain.push(wi);
          chainPos[wi] = s.chain.length;
          if (writes.type[wi] === 'ok') s.okWrites.push(wi);
          dep[wi] = s.lastObs;
        }
        if (r === reads.count) break;
        const process = reads.process[r]!;
        for (let o = reads.obsStart[r]!; o < reads.obsEnd[r]!; o++) {
          const key = obs.key[o]!;
          const me = stateOf(process, key);
          serial = o;
          touched.length = 0;
          let ownSeen = 0;
          for (let i = obs.start[o]!; i < obs.end[o]!; i++) {
            const w = seen[i]!;
            if (w < 0 || mark[w] === serial) continue;
            mark[w] = serial;
            if (writes.process[w] === process && writes.type[w] === 'ok') ownSeen++;
            const s = sessionOf[w]!;
            if (chainPos[w] === 0) continue;
            if (stampS[s] !== serial) {
              stampS[s] = serial;
              maxPos[s] = 0;
              cnt[s] = 0;
              touched.push(s);
            }
            cnt[s]!++;
            if (chainPos[w]! > maxPos[s]!) {
              maxPos[s] = chainPos[w]!;
              maxW[s] = w;
            }
          }
          if (wanted.has('read-your-writes') && ownSeen < me.okWrites.length) {
            const missing = me.okWrites.find((w) => mark[w] !== serial)!;
            report({ type: 'read-your-writes', key, value: writes.value[missing], ops: [writeRef(missing), obsRef(o)] });
          }
          if (wanted.has('monotonic-reads') && me.lastObs >= 0) {
            const j = firstMissing(me.lastObs);
            if (j >= 0) report({ type: 'monotonic-reads', key, value: obs.values[me.lastObs]![j], ops: [obsRef(me.lastObs), obsRef(o)] });
          }
          for (const s of touched) {
            const top = maxW[s]!;
            if (wanted.has('monotonic-writes') && cnt[s]! < maxPos[s]!) {
              const chain = stateOf(writes.process[top]!, key).chain;
              const missing = chain.find((w, i) => i < maxPos[s]! && mark[w] !== serial)!;
              report({ type: 'monotonic-writes', key, value: writes.value[missing], ops: [writeRef(missing), writeRef(top)], read: obsRef(o) });
            }
            const d = dep[top]!;
            if (wanted.has('writes-follow-reads') && d >= 0) {
              const j = firstMissing(d);
              if (j >= 0) report({ type: 'writes-follow-reads', key, value: obs.values[d]![j], ops: [obsRef(d), writeRef(top)], read: obsRef(o) });
            }
          }
          me.lastObs = o;
        }
      }

      const impossible = impossibleReads(h, MAX_EXAMPLES);
      if (impossible.thinAirCount > 0) counts['thin-air-read'] = impossible.thinAirCount;
      if (impossible.abortedCount > 0) counts['aborted-read'] = impossible.abortedCount;
      const nodesBySession = new Map<unknown, Set<string>>();
      for (const op of history) {
        if (typeof op.process !== 'number' || op.node === undefined) continue;
        let s = nodesBySession.get(op.process);
        if (!s) nodesBySession.set(op.process, (s = new Set()));
        s.add(op.node);
      }
      let several = 0;
      for (const s of nodesBySession.values()) if (s.size > 1) several++;
      const anomalyTypes = Object.keys(counts).sort();
      const result: CheckResult = {
        valid: anomalyTypes.length === 0,
        guarantees: [...wanted],
        counts,
        anomalyCounts: counts,
        violations,
        thinAir: impossible.thinAir,
        aborted: impossible.aborted,
        sessions: S,
        sessionsOnSeveralNodes: several,
        reads: reads.count,
        writes: W,
      };
      if (anomalyTypes.length > 0) result.anomalyTypes = anomalyTypes;
      return result;
    },
  } satisfies Checker;
}
