/**
 * Causal reverse: a read that sees a write must also see every write that came before it.
 *
 * Ops: the keyed grow-only sets of ../session/keyed-set-history.ts: `write [k, v]` (v unique per
 * key) and reads of one key (`[k, null]` → `[k, [v...]]`) or several at once (`null | [k...]`
 * → `{k: [v...]}`, one snapshot).
 * Write w1 *precedes* w2 when w1 was known to have taken effect before w2 was invoked: its ok
 * completion, or the completion of a read that saw it, comes earlier in the history. This
 * covers causality (a session's earlier write; a write the session read before writing) and
 * plain real-time order. A read that sees w2 and reads w1's key but misses w1 is a violation.
 * Each is labelled by what links w1 to w2: `session` (same process), `read` (w2's process read
 * w1 before writing w2) or `time` (real-time order, maybe through a longer causal chain).
 * Checked in O(reads x keys read x log writes) using prefix counts, not pairwise.
 * Evidence: `count`, `anomalyCounts` (cases per anomaly type), `byLink`, `violations` (up to 100:
 * `{key, value, link, ops: [w1, w2], read, knownAt, via?}`, ops as `{index, process, node, f,
 * value?}`: `knownAt` is the completion that first showed w1 had taken effect (its own ok, or a
 * read that saw it), `via` for a `read` link the read of w2's process that saw w1), thin-air /
 * aborted reads as in the session checker. Anomaly types: `causal-reverse`, `thin-air-read`,
 * `aborted-read`.
 */
import type { Checker } from '../../src/core/checker.ts';
import type { History } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { impossibleReads, parseKeyedSetHistory, ref, type OpRef } from '../session/keyed-set-history.ts';
import { countBelow } from '../sorted-search.ts';

const MAX_EXAMPLES = 100;

export type CausalLink = 'session' | 'read' | 'time';

/** One read that saw w2 (`ops[1]`) but missed w1 (`ops[0]`), which preceded it. */
export interface CausalViolation {
  key: string;
  /** The value of w1. */
  value: unknown;
  link: CausalLink;
  ops: [OpRef, OpRef];
  read: OpRef;
  /** The completion that first showed w1 had taken effect: its own ok, or a read that saw it. */
  knownAt: OpRef;
  /** For a `read` link: the read of w2's process that saw w1 before w2 was invoked. */
  via?: OpRef;
}

export function causalReverse() {
  return {
    name: 'causal-reverse',
    check(history: History): CheckResult {
      const h = parseKeyedSetHistory(history);
      const { writes, reads, obs, seen } = h;
      const W = writes.count;
      // When each write was known to have taken effect (history position), Infinity if never.
      const effect = new Float64Array(W).fill(Infinity);
      for (let w = 0; w < W; w++) if (writes.type[w] === 'ok') effect[w] = writes.completionIndex[w]!;
      for (let o = 0; o < obs.count; o++) {
        const at = reads.completionIndex[obs.read[o]!]!;
        for (let i = obs.start[o]!; i < obs.end[o]!; i++) {
          const w = seen[i]!;
          if (w >= 0 && at < effect[w]!) effect[w] = at;
        }
      }
      const order = Array.from({ length: W }, (_, w) => w)
        .filter((w) => effect[w] !== Infinity && writes.type[w] !== 'fail')
        .sort((a, b) => effect[a]! - effect[b]!);
      const sortedEffect = Float64Array.from(order, (w) => effect[w]!);
      const rank = new Int32Array(W).fill(-1);
      order.forEach((w, i) => (rank[w] = i));
      // How many writes precede each write.
      const before = new Int32Array(W);
      for (let w = 0; w < W; w++) before[w] = countBelow(sortedEffect, writes.invokeIndex[w]!);
      const ranksByKey = new Map<string, number[]>();
      for (const w of order) {
        const k = writes.key[w]!;
        const list = ranksByKey.get(k);
        if (list) list.push(rank[w]!);
        else ranksByKey.set(k, [rank[w]!]);
      }
      const keyRanks = new Map<string, Int32Array>();
      for (const [k, list] of ranksByKey) keyRanks.set(k, Int32Array.from(list));

      /** The read of process p that saw write w1 before p invoked its write w2, or -1 (slow; only for examples). */
      const readBefore = (p: number, w1: number, w2: number): number => {
        const invoked = writes.invokeIndex[w2]!;
        for (let o = 0; o < obs.count; o++) {
          const r = obs.read[o]!;
          if (reads.process[r] !== p || reads.completionIndex[r]! > invoked) continue;
          if (seen.subarray(obs.start[o]!, obs.end[o]!).includes(w1)) return r;
        }
        return -1;
      };
      const linkOf = (w1: number, w2: number): { link: CausalLink; via: number } => {
        const p = writes.process[w2]!;
        if (writes.process[w1] === p) return { link: 'session', via: -1 };
        const via = readBefore(p, w1, w2);
        return { link: via >= 0 ? 'read' : 'time', via };
      };

      const mark = new Int32Array(W).fill(-1);
      const counted = new Int32Array(W).fill(-1);
      const violations: CausalViolation[] = [];
      const byLink: Record<CausalLink, number> = { session: 0, read: 0, time: 0 };
      let count = 0;
      for (let r = 0; r < reads.count; r++) {
        const first = reads.obsStart[r]!;
        const last = reads.obsEnd[r]! - 1;
        if (last < first) continue;
        let m = 0;
        let top = -1;
        // A read's observations see consecutive stretches of `seen`.
        for (let i = obs.start[first]!; i < obs.end[last]!; i++) {
          const w = seen[i]!;
          if (w < 0 || writes.type[w] === 'fail') continue;
          mark[w] = r;
          if (before[w]! > m) [m, top] = [before[w]!, w];
        }
        if (top < 0) continue;
        for (let o = reads.obsStart[r]!; o < reads.obsEnd[r]!; o++) {
          const ranks = keyRanks.get(obs.key[o]!);
          if (!ranks) continue;
          const need = countBelow(ranks, m);
          let have = 0;
          for (let i = obs.start[o]!; i < obs.end[o]!; i++) {
            const w = seen[i]!;
            if (w >= 0 && mark[w] === r && counted[w] !== r && rank[w]! >= 0 && rank[w]! < m) {
              have++;
              counted[w] = r;
            }
          }
          if (have >= need) continue;
          count++;
          const missing = order[ranks.find((rk) => mark[order[rk]!] !== r)!]!;
          const { link, via } = linkOf(missing, top);
          byLink[link]++;
          if (violations.length < MAX_EXAMPLES) {
            violations.push({
              key: obs.key[o]!,
              value: writes.value[missing],
              link,
              ops: [ref(history, writes.invokeIndex[missing]!, true), ref(history, writes.invokeIndex[top]!, true)],
              read: ref(history, reads.completionIndex[r]!, false),
              knownAt: ref(history, effect[missing]!, false),
              ...(via >= 0 ? { via: ref(history, reads.completionIndex[via]!, false) } : {}),
            });
          }
        }
      }

      const impossible = impossibleReads(h, MAX_EXAMPLES);
      const anomalyCounts: Record<string, number> = {};
      if (impossible.abortedCount > 0) anomalyCounts['aborted-read'] = impossible.abortedCount;
      if (count > 0) anomalyCounts['causal-reverse'] = count;
      if (impossible.thinAirCount > 0) anomalyCounts['thin-air-read'] = impossible.thinAirCount;
      const anomalyTypes = Object.keys(anomalyCounts);
      const result: CheckResult = {
        valid: anomalyTypes.length === 0,
        count,
        anomalyCounts,
        byLink,
        violations,
        thinAir: impossible.thinAir,
        aborted: impossible.aborted,
        reads: reads.count,
        writes: W,
      };
      if (anomalyTypes.length > 0) result.anomalyTypes = anomalyTypes;
      return result;
    },
  } satisfies Checker;
}
