// The static drawings: a linearizability counterexample from the search (partial linearizations
// ending in the op that cannot go next) and a dependency cycle with one labelled edge per step.
import { describe, expect, it } from 'vitest';
import { linearizable } from '../../../checkers/linearizable/index.ts';
import { listAppend } from '../../../checkers/elle/index.ts';
import { completionIndex } from '../../history/pairs.ts';
import { g1cHistory, registerHistory } from '../../../test/report/fixtures.ts';
import { escapeHtml } from './escape.ts';
import { readEvidence } from './evidence.ts';
import { cycleSvg } from './svg-cycle.ts';
import { intervalsSvg, PATH_TAIL } from './svg-intervals.ts';

describe('counterexample drawings', () => {
  it('draws the tail of each partial linearization and crosses the op that cannot go next', async () => {
    const history = registerHistory({ ops: 60, concurrency: 3, seed: 3, staleRead: true });
    const r = await linearizable({ model: 'register', threads: 0, fastPath: false }).check(history, {});
    expect(r.valid).toBe(false);
    const partial = (r['counterexample'] as { partials: Array<{ ops: unknown[]; blocked: number; candidates: Array<{ index: number; reason: string }> }> }).partials[0]!;
    const ev = readEvidence('linearizable', r, history.length).cases[0]!.linear!;
    expect(ev.paths[0]!.ops.at(-1)).toBe(partial.blocked);
    expect(ev.paths[0]!.illegal).toBe(partial.candidates.find((c) => c.index === partial.blocked)!.reason);
    const svg = intervalsSvg(ev, history, completionIndex(history));
    const polyline = /<polyline points="([^"]+)"/.exec(svg);
    expect(polyline).not.toBeNull();
    expect(polyline![1]!.trim().split(' ')).toHaveLength(Math.min(PATH_TAIL, partial.ops.length + 1) - 1);
    expect(svg).toContain(`<title>${escapeHtml(ev.paths[0]!.illegal!)}</title>`);
    expect(svg.match(/class="op failing"/g)).toHaveLength(1);
    expect(svg).toContain(`data-op="${partial.blocked}"`);
  });

  it('draws a cycle with one node per transaction and one labelled edge per step', async () => {
    const history = g1cHistory();
    const r = await listAppend({ consistencyModels: ['serializable'] }).check(history, {});
    const cycle = readEvidence('list-append', r, history.length).cases[0]!.cycle!;
    const svg = cycleSvg(cycle, 'c');
    expect(svg.match(/<circle /g)).toHaveLength(cycle.txns.length);
    expect(svg.match(/marker-end=/g)).toHaveLength(cycle.steps.length);
    for (const t of cycle.txns) expect(svg).toContain(`data-op="${t}"`);
    for (const s of cycle.steps) expect(svg).toContain(`>${s.label}</text>`);
  });
});
