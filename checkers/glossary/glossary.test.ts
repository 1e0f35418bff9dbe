// The anomaly glossary: each smallest example really shows its anomaly to the named checker, the
// ruled-out models come from the lattice, every demonstration names a real db, bug flag, workload
// and nemesis, and the committed docs/anomalies.md is what the generator writes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_DBS } from '../../src/db/index.ts';
import { BUILTIN_NEMESES } from '../../nemeses/index.ts';
import { BUILTIN_WORKLOADS } from '../../workloads/index.ts';
import { parseOwnOptions } from '../../src/options/parse.ts';
import { optionPrefix } from '../../src/plugins/registry.ts';
import { ALL_MODELS } from '../elle/model.ts';
import { BUILTIN_CHECKERS } from '../index.ts';
import { exampleHistory, exampleLines } from './example.ts';
import { GLOSSARY, demonstrationCommand, glossaryEntry } from './index.ts';
import { glossaryMarkdown, glossaryText } from './text.ts';
import { ANOMALIES_DOC } from './write-doc.ts';

const withExamples = GLOSSARY.filter((e) => e.example !== undefined);

describe('anomaly glossary', () => {
  it.each(withExamples.map((e) => [e.type, e] as const))('the example of %s shows it to its checker', async (_type, e) => {
    const ex = e.example!;
    const def = BUILTIN_CHECKERS.find((d) => d.name === ex.checker)!;
    const checker = await def.create({
      options: parseOwnOptions(ex.options ?? {}, { part: def.name, prefix: optionPrefix(def), schema: def.options ?? {} }),
      ...(ex.model ? { model: ex.model } : {}),
      ...(ex.consistencyModels ? { consistencyModels: [...ex.consistencyModels] } : {}),
    });
    const r = await checker.check(exampleHistory(ex), {});
    expect(r.anomalyTypes ?? []).toContain(e.type);
    expect(e.checkers).toContain(ex.checker);
  });

  it('has an entry for every anomaly type the checkers report', () => {
    const reported = [
      'nonlinearizable', 'stale-read', 'unexpected-value', 'future-read', 'read-your-writes', 'monotonic-reads', 'monotonic-writes',
      'writes-follow-reads', 'thin-air-read', 'aborted-read', 'causal-reverse', 'long-fork', 'lost', 'duplicated', 'unexpected', 'stale',
      'read-too-low', 'read-too-high', 'wrong-total', 'negative-value', 'nil-balance', 'unexpected-key', 'never-succeeded', 'low-availability',
      'G0', 'G0-process', 'G0-realtime', 'G1a', 'G1b', 'G1c', 'G1c-process', 'G1c-realtime', 'G-single-item', 'G-single-item-process',
      'G-single-item-realtime', 'G-nonadjacent-item', 'G-nonadjacent-item-process', 'G-nonadjacent-item-realtime', 'G2-item',
      'G2-item-process', 'G2-item-realtime', 'internal', 'dirty-update', 'incompatible-order', 'lost-update', 'duplicate-elements',
      'cyclic-versions', 'garbage-read', 'empty-transaction-graph', 'cycle-search-timeout', 'PL-SI-cycle-exists', 'strong-session-PL-2-cycle-exists',
    ];
    expect(reported.filter((t) => glossaryEntry(t) === undefined)).toEqual([]);
    expect(glossaryEntry('no-such-anomaly')).toBeUndefined();
    expect(new Set(GLOSSARY.map((e) => e.type)).size).toBe(GLOSSARY.length);
  });

  it('takes the models an anomaly rules out from the lattice', () => {
    expect(glossaryEntry('G2-item')!.rulesOut.not).toEqual(['repeatable-read']);
    expect(glossaryEntry('G1c')!.rulesOut.not).toEqual(['read-committed']);
    expect(glossaryEntry('stale-read')!.rulesOut).toEqual({ not: ['linearizable'], alsoNot: ['strong-serializable'] });
    expect(glossaryEntry('read-your-writes')!.rulesOut.alsoNot).toEqual(['PRAM', 'causal', 'linearizable', 'sequential', 'strong-serializable']);
    expect(glossaryEntry('PL-SI-cycle-exists')!.rulesOut.not).toEqual(['snapshot-isolation']);
    for (const e of GLOSSARY) for (const m of [...e.rulesOut.not, ...e.rulesOut.alsoNot]) expect(ALL_MODELS.has(m), `${e.type}: ${m}`).toBe(true);
    const modelFree = GLOSSARY.filter((e) => e.rulesOut.not.length === 0).map((e) => e.type);
    expect(modelFree).toEqual(['duplicated', 'nil-balance', 'unexpected-key', 'never-succeeded', 'low-availability', 'empty-transaction-graph', 'cycle-search-timeout']);
  });

  it('demonstrates anomalies only with dbs, bug flags, workloads and nemeses that exist', () => {
    const demos = GLOSSARY.flatMap((e) => e.demonstrations.map((d) => ({ type: e.type, ...d })));
    expect(demos.length).toBeGreaterThan(15);
    for (const d of demos) {
      const db = BUILTIN_DBS.find((x) => x.name === d.db);
      expect(db, `${d.type}: ${d.db}`).toBeDefined();
      expect(db!.workloads, `${d.type}: ${d.db}`).toContain(d.workload);
      expect(BUILTIN_WORKLOADS.find((w) => w.name === d.workload), d.workload).toBeDefined();
      if (d.bug) expect(Object.keys(db!.bugs ?? {}), `${d.type}: ${d.db}`).toContain(d.bug);
      for (const n of d.nemesis === 'none' ? [] : d.nemesis.split(',')) expect(BUILTIN_NEMESES.find((x) => x.name === n), n).toBeDefined();
    }
    expect(demonstrationCommand({ db: 'reference:quorum', options: { 'quorum.r': '1', 'quorum.w': '1' }, workload: 'register', nemesis: 'none' })).toBe(
      'faultline test --db reference:quorum --opt quorum.r=1 --opt quorum.w=1 --workload register --nemesis none',
    );
  });

  it('shows examples one op per line, or one event per line when ops overlap', () => {
    expect(glossaryEntry('stale-read')!.exampleText).toEqual(['p0 write 1 → ok', 'p0 write 2 → ok', 'p1 read → ok 1']);
    expect(glossaryEntry('read-your-writes')!.exampleText).toEqual(['p0 write [x 1] → ok on n1', 'p0 read [x nil] → ok [x []] on n2']);
    const g1c = exampleLines(glossaryEntry('G1c')!.example!);
    expect(g1c.slice(0, 4)).toEqual(['p0 txn [[append x 1] [r y nil]] …', 'p1 txn [[append x 2] [append y 1]] …', '… p1 txn → ok', '… p0 txn → ok [[append x 1] [r y [1]]]']);
  });

  it('docs/anomalies.md is what checkers/glossary/write-doc.ts writes (run it after changing the glossary)', () => {
    expect(readFileSync(ANOMALIES_DOC, 'utf8')).toBe(glossaryMarkdown());
  });

  it('prints one entry or all of them as plain text', () => {
    const one = glossaryText(glossaryEntry('causal-reverse'));
    expect(one).toContain('rules out: causal (and so the stronger linearizable, sequential, strong-serializable)');
    expect(one).toContain('demo: faultline test --db inprocess:kv --bug async-replicas --workload causal --nemesis none   (in-process, no root)');
    expect(glossaryText().split('\n').filter((l) => /^\S/.test(l))).toHaveLength(GLOSSARY.length);
  });
});
