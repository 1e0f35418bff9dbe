/**
 * Anomaly cases of the checkers whose evidence has a shape of its own: stale reads (the worst
 * reads, the writes they missed, the distribution of staleness), session guarantees (each
 * violation's two ops of the session and the read that shows it), causal reversals (the chain
 * from the earlier write to the later one and the read that saw them out of order), long forks,
 * ops that never succeeded, and low availability. Other checkers go through the tolerant reader
 * in evidence.ts.
 */
import type { CheckResult } from '../../core/validity.ts';
import { showValue } from './escape.ts';
import type { AnomalyCase, EvidenceTable } from './evidence.ts';
import { isRecord } from './run-data.ts';

type Rec = Record<string, unknown>;

export interface CheckerCases {
  cases: AnomalyCase[];
  tables: EvidenceTable[];
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const recs = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const show = (v: unknown): string => showValue(v, 80);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A case whose ops are [index, role] pairs within the history. */
function makeCase(type: string, explanation: string[], roles: Array<[unknown, string]>, facts: Array<[string, unknown]>, limit: number, session?: AnomalyCase['session']): AnomalyCase {
  const kept = roles.filter((r): r is [number, string] => isIndex(r[0]) && r[0] < limit);
  return {
    type,
    explanation,
    ops: [...new Set(kept.map(([i]) => i))],
    roles: kept,
    facts: facts.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, show(v)]),
    cycle: undefined,
    linear: undefined,
    session,
  };
}

/** `op 12 by p3 on n2` from an op reference {index, process, node}. */
function opName(o: Rec | undefined): string {
  if (!o) return 'an op';
  const who = o['process'] !== undefined ? ` by p${String(o['process'])}${typeof o['node'] === 'string' ? ` on ${o['node']}` : ''}` : '';
  return `op ${String(o['index'])}${who}`;
}

/** `43 to key 0` from a keyed write's value `[k, v]`. */
function written(o: Rec | undefined): string {
  const v = o?.['value'];
  return Array.isArray(v) && v.length === 2 ? `${show(v[1])} to key ${show(v[0])}` : show(v);
}

function table(caption: string, head: string[], rows: Array<Array<string | number>>): EvidenceTable {
  return { caption, head, rows: rows.map((r) => r.map(String)) };
}

/** {versions: reads} in buckets 1, 2, 3–4, 5–8, ...: a histogram a dozen rows long at most. */
function versionBuckets(byVersions: Array<[string, number]>): string[][] {
  const buckets = new Map<number, number>();
  for (const [v, n] of byVersions) {
    const b = Math.ceil(Math.log2(Math.max(1, Number(v))));
    buckets.set(b, (buckets.get(b) ?? 0) + n);
  }
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([b, n]) => {
      const lo = b === 0 ? 1 : 2 ** (b - 1) + 1;
      const hi = 2 ** b;
      return [lo === hi ? String(hi) : `${lo}–${hi}`, String(n)];
    });
}

function staleReadCases(r: CheckResult, limit: number, max: number): CheckerCases {
  const cases = recs(r['worst']).slice(0, max).map((w) => {
    const key = w['key'] === null || w['key'] === undefined ? '' : ` of key ${show(w['key'])}`;
    const node = typeof w['node'] === 'string' ? w['node'] : 'an unrecorded node';
    const versions = num(w['versions']) ?? 0;
    const ms = num(w['staleMs']);
    return makeCase(
      'stale-read',
      [
        `A read${key} answered by ${node} returned ${show(w['value'])} although ${versions} newer write${versions === 1 ? '' : 's'} had completed before it began.`,
        `The first it missed, op ${String(w['supersededBy'])} writing ${show(w['missedValue'])}, had completed ${ms === undefined ? '?' : ms.toFixed(3)} ms before the read began.`,
      ],
      [
        [w['index'], `stale read, answered by ${node}`],
        [w['supersededBy'], 'first write it missed'],
        [w['writeIndex'], 'write of the value it read'],
      ],
      [['node', w['node']], ['key', w['key']], ['value read', w['value']], ['missed value', w['missedValue']], ['versions behind', versions], ['ms behind', ms === undefined ? undefined : ms.toFixed(3)]],
      limit,
    );
  });
  for (const x of recs(r['impossible']).slice(0, max)) {
    const kind = String(x['kind'] ?? 'impossible-read');
    const what = kind === 'future-read' ? 'was written only after the read completed' : 'was never written';
    cases.push(makeCase(kind, [`A read returned ${show(x['value'])}, which ${what}.`], [[x['index'], 'read']], [['key', x['key']], ['value read', x['value']]], limit));
  }
  const tables: EvidenceTable[] = [];
  const byVersions = isRecord(r['byVersions']) ? Object.entries(r['byVersions']).filter((e): e is [string, number] => typeof e[1] === 'number') : [];
  if (byVersions.length) tables.push({ ...table('Stale reads by versions behind', ['versions behind', 'reads'], versionBuckets(byVersions)), bars: true });
  const staleness = isRecord(r['staleness']) ? r['staleness'] : undefined;
  const q = staleness && isRecord(staleness['quantilesMs']) ? staleness['quantilesMs'] : undefined;
  if (q) {
    const label = (k: string): string => (k === '1' ? 'max' : `p${Math.round(Number(k) * 100)}`);
    const rows = Object.entries(q)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([k, v]) => [label(k), `${show(v)} ms`]);
    tables.push(table('How far behind (ms since the first missed write completed)', ['quantile', 'staleness'], [...rows, ['mean', `${show(staleness!['meanMs'])} ms`]]));
  }
  tables.push(table('Reads', ['checked', 'stale', 'ambiguous (value written twice)'], [[show(r['reads']), show(r['staleCount']), show(r['ambiguousReads'])]]));
  return { cases, tables };
}

/** Roles of a session violation's ops, and what it means, by guarantee. */
const SESSION_TEXT: Record<string, { roles: [string, string, string]; says: (v: Rec, a: Rec | undefined, b: Rec | undefined, read: Rec | undefined) => string }> = {
  'read-your-writes': {
    roles: ['its write', 'its later read, which missed it', ''],
    says: (v, a, b) => `The session wrote ${show(v['value'])} to key ${show(v['key'])} (${opName(a)}); its later read of the key (${opName(b)}) did not contain it.`,
  },
  'monotonic-reads': {
    roles: ['its read that saw the value', 'its next read, which lost it', ''],
    says: (v, a, b) => `The session read key ${show(v['key'])} with ${show(v['value'])} in it (${opName(a)}); its next read of the key (${opName(b)}) no longer had it.`,
  },
  'monotonic-writes': {
    roles: ['its earlier write', 'its later write', 'read with the later write only'],
    says: (v, a, b, read) => `The session wrote ${show(v['value'])} (${opName(a)}) before ${opName(b)}; ${opName(read)} saw the later write without ${show(v['value'])}.`,
  },
  'writes-follow-reads': {
    roles: ['its read', 'its write after that read', 'read with the write but not what it followed'],
    says: (v, a, b, read) => `The session read key ${show(v['key'])} with ${show(v['value'])} in it (${opName(a)}) before writing (${opName(b)}); ${opName(read)} saw that write without ${show(v['value'])}.`,
  },
};

/** Thin-air and aborted reads, as the session and causal checkers report them. */
function impossibleReadCases(r: CheckResult, limit: number, max: number): AnomalyCase[] {
  const thin = recs(r['thinAir'])
    .slice(0, max)
    .map((x) => makeCase('thin-air-read', [`A read of key ${show(x['key'])} returned ${show(x['value'])}, which nobody wrote.`], [[x['read'], 'read']], [['key', x['key']], ['value', x['value']]], limit));
  const aborted = recs(r['aborted'])
    .slice(0, max)
    .map((x) =>
      makeCase('aborted-read', [`A read of key ${show(x['key'])} returned ${show(x['value'])}, whose write failed.`], [[x['read'], 'read'], [x['write'], 'failed write']], [['key', x['key']], ['value', x['value']]], limit),
    );
  return [...thin, ...aborted];
}

function sessionCases(r: CheckResult, limit: number, max: number): CheckerCases {
  const perType = new Map<string, number>();
  const cases: AnomalyCase[] = [];
  for (const v of recs(r['violations'])) {
    const type = String(v['type'] ?? 'session');
    const n = perType.get(type) ?? 0;
    if (n >= max) continue;
    perType.set(type, n + 1);
    const [a, b] = recs(v['ops']);
    const read = isRecord(v['read']) ? v['read'] : undefined;
    const text = SESSION_TEXT[type];
    const session = a && b && a['process'] !== undefined && isIndex(a['index']) && isIndex(b['index']) ? { process: a['process'], from: a['index'], to: b['index'] } : undefined;
    cases.push(
      makeCase(
        type,
        text ? [text.says(v, a, b, read)] : [],
        [
          [a?.['index'], text?.roles[0] ?? 'earlier op'],
          [b?.['index'], text?.roles[1] ?? 'later op'],
          [read?.['index'], text?.roles[2] || 'read'],
        ],
        [['key', v['key']], ['value', v['value']], ['session', a?.['process']]],
        limit,
        session,
      ),
    );
  }
  cases.push(...impossibleReadCases(r, limit, max));
  const counts = isRecord(r['counts']) ? Object.entries(r['counts']) : [];
  const tables = [
    table('Violations by guarantee', ['guarantee', 'violations'], counts.map(([t, n]) => [t, show(n)])),
    table('Sessions', ['sessions', 'on several nodes', 'reads', 'writes'], [[show(r['sessions']), show(r['sessionsOnSeveralNodes']), show(r['reads']), show(r['writes'])]]),
  ];
  return { cases, tables };
}

const LINK_TEXT: Record<string, string> = {
  session: 'the same session wrote it earlier',
  read: 'the writer of the later write had read it before writing',
  time: 'it had taken effect before the later write began',
};

function causalCases(r: CheckResult, limit: number, max: number): CheckerCases {
  const cases = recs(r['violations'])
    .slice(0, max)
    .map((v) => {
      const [w1, w2] = recs(v['ops']);
      const read = isRecord(v['read']) ? v['read'] : undefined;
      const known = isRecord(v['knownAt']) ? v['knownAt'] : undefined;
      const via = isRecord(v['via']) ? v['via'] : undefined;
      const link = String(v['link'] ?? 'time');
      // knownAt is the earlier write's own ok completion, or a read that saw it (maybe the `via` read).
      const seenBy = known && known['f'] === 'read' ? known : undefined;
      const chain: Array<[unknown, string]> = [[w1?.['index'], 'earlier write']];
      if (seenBy && seenBy['index'] !== via?.['index']) chain.push([seenBy['index'], 'read that first showed the earlier write had taken effect']);
      if (via) chain.push([via['index'], 'read of the earlier write by the later writer']);
      chain.push([w2?.['index'], 'later write'], [read?.['index'], 'read: saw the later write, missed the earlier']);
      const first = `${opName(w1)} wrote ${written(w1)}`;
      const why =
        link === 'session'
          ? `${first}; later the same session wrote ${written(w2)} (${opName(w2)}).`
          : link === 'read'
            ? `${first}; ${opName(via)} read it, and then that client wrote ${written(w2)} (${opName(w2)}).`
            : `${first}; it was known to have taken effect (${seenBy ? `${opName(seenBy)} had read it` : 'its ok had arrived'}) before ${opName(w2)} wrote ${written(w2)}.`;
      return makeCase(
        'causal-reverse',
        [why, `${opName(read)} read key ${show(v['key'])} and saw the later write but not the earlier one.`],
        chain,
        [['key', v['key']], ['missing value', v['value']], ['link', link]],
        limit,
      );
    });
  cases.push(...impossibleReadCases(r, limit, max));
  const byLink = isRecord(r['byLink']) ? Object.entries(r['byLink']) : [];
  return { cases, tables: [table('Reversals by what links the two writes', ['link', 'reversals'], byLink.map(([l, n]) => [`${l}: ${LINK_TEXT[l] ?? ''}`, show(n)]))] };
}

/** Keys a long-fork read saw (a non-null value), from its `[["r", k, v]...]` value. */
function seenKeys(o: Rec | undefined): unknown[] {
  const v = o?.['value'];
  return Array.isArray(v) ? v.filter((m) => Array.isArray(m) && m[2] !== null && m[2] !== undefined).map((m) => (m as unknown[])[1]) : [];
}

function longForkCases(r: CheckResult, limit: number, max: number): CheckerCases {
  const cases = recs(r['forks'])
    .slice(0, max)
    .map((f) => {
      const [a, b] = recs(f['ops']);
      const sa = seenKeys(a).map(String);
      const sb = seenKeys(b).map(String);
      const onlyA = sa.filter((k) => !sb.includes(k));
      const onlyB = sb.filter((k) => !sa.includes(k));
      return makeCase(
        'long-fork',
        [`Two reads of keys ${show(f['keys'])} disagree on the order of the writes: ${opName(a)} saw key ${onlyA.join(', ') || '?'} but not ${onlyB.join(', ') || '?'}, ${opName(b)} the other way round.`],
        [
          [a?.['index'], `read that saw ${onlyA.join(', ')}`],
          [b?.['index'], `read that saw ${onlyB.join(', ')}`],
        ],
        [['keys', f['keys']]],
        limit,
      );
    });
  return { cases, tables: [table('Reads', ['reads', 'saw nothing', 'saw everything', 'forked groups'], [[show(r['readsCount']), show(r['earlyReadCount']), show(r['lateReadCount']), show(r['forkedGroups'])]])] };
}

function neverSucceededCases(r: CheckResult, limit: number): CheckerCases {
  const byF = isRecord(r['byF']) ? r['byF'] : {};
  const fs = Array.isArray(r['neverSucceeded']) ? r['neverSucceeded'].map(String) : [];
  const cases = fs.map((f) => {
    const c = isRecord(byF[f]) ? byF[f] : {};
    return makeCase('never-succeeded', [`Every ${f} failed or timed out (${show(c['fail'])} fail, ${show(c['info'])} info of ${show(c['count'])}): the run shows nothing about ops that need a ${f} to succeed.`], [], [['f', f], ['fail', c['fail']], ['info', c['info']], ['count', c['count']]], limit);
  });
  return { cases, tables: [] };
}

function lowAvailabilityCases(r: CheckResult, limit: number): CheckerCases {
  const overall = isRecord(r['overall']) ? r['overall'] : {};
  const a = num(overall['availability']);
  const pct = a === undefined ? '?' : `${(a * 100).toFixed(1)} %`;
  const cases = (r.anomalyTypes ?? []).includes('low-availability')
    ? [makeCase('low-availability', [`${show(overall['ok'])} of ${show(overall['ops'])} client ops succeeded (${pct}), below the minimum the test asked for.`], [], [['ok', overall['ok']], ['ops', overall['ops']], ['fail', overall['fail']], ['info', overall['info']]], limit)]
    : [];
  const byKind = isRecord(r['byKind']) ? Object.entries(r['byKind']).filter(([, v]) => isRecord(v)) : [];
  const rows = byKind.map(([k, v]) => {
    const x = v as Rec;
    const av = num(x['availability']);
    return [k, show(x['ops']), show(x['ok']), av === undefined ? '—' : `${(av * 100).toFixed(1)} %`];
  });
  return { cases, tables: rows.length ? [table('Availability during faults', ['fault', 'ops', 'ok', 'availability'], rows)] : [] };
}

const READERS: Record<string, (r: CheckResult, limit: number, max: number) => CheckerCases> = {
  'stale-reads': staleReadCases,
  session: sessionCases,
  'causal-reverse': causalCases,
  'long-fork': longForkCases,
  stats: neverSucceededCases,
  availability: lowAvailabilityCases,
};

/** The cases of a checker with a reader of its own; undefined for the others. */
export function checkerCases(checker: string, r: CheckResult, historyLength: number, maxCasesPerType: number): CheckerCases | undefined {
  return READERS[checker]?.(r, historyLength, maxCasesPerType);
}
