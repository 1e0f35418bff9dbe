/**
 * Client-visible checks for simulator runs of the list-append workload (unique values appended to
 * one key, reads of that key): the cheap, exact subset of linearizability that every store test
 * uses to tell a correct store from a buggy one.
 */
import type { SubmittedRequest } from '../sim/simulator.ts';
import type { StoreReply, StoreRequest } from './protocol.ts';

type SimRequest = SubmittedRequest<StoreRequest, StoreReply>;

export function appendRequest(key: string, value: number): StoreRequest {
  return { f: 'txn', ops: [['append', key, value]] };
}

function appendedValue(r: SimRequest): number | undefined {
  if (r.req.f !== 'txn') return undefined;
  const op = r.req.ops[0];
  return op && op[0] === 'append' ? (op[2] as number) : undefined;
}

/**
 * Problems seen by clients, given the list's final value: acknowledged appends lost, definitely
 * failed appends applied anyway, duplicates, and reads that are not a prefix of the final list or
 * miss an append acknowledged before the read began (stale reads).
 */
export function clientViolations(requests: readonly SimRequest[], final: readonly number[]): string[] {
  const out: string[] = [];
  const inFinal = new Set(final);
  if (inFinal.size !== final.length) out.push('duplicate values in the final list');
  const appends = requests.filter(r => appendedValue(r) !== undefined);
  for (const r of appends) {
    const v = appendedValue(r)!;
    if (r.reply?.ok && !inFinal.has(v)) out.push(`acknowledged append ${v} lost`);
    if (r.reply && !r.reply.ok && r.reply.error.definite && inFinal.has(v)) {
      out.push(`append ${v} failed definitely (${r.reply.error.code}) but was applied`);
    }
  }
  for (const r of requests) {
    if (r.req.f !== 'read' || !r.reply?.ok) continue;
    const seen = (r.reply.value as number[] | null) ?? [];
    if (seen.some((v, i) => final[i] !== v)) out.push(`read at ${r.start} is not a prefix of the final list`);
    const seenSet = new Set(seen);
    for (const a of appends) {
      if (a.reply?.ok && a.end! < r.start && !seenSet.has(appendedValue(a)!)) {
        out.push(`read at ${r.start} on ${r.node} misses ${appendedValue(a)} acknowledged at ${a.end}`);
        break;
      }
    }
  }
  return out.slice(0, 20);
}
