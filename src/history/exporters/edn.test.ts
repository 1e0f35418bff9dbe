// The EDN exporter: Jepsen-readable text that our EDN importer reads back to the same ops.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.ts';
import { parseEdn } from '../importers/edn.ts';
import { parseJepsenEdn } from '../importers/jepsen-edn.ts';
import { toJepsenEdn } from './edn.ts';

const history: Op[] = [
  { index: 0, time: 0, process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['append', 'y', 3]] },
  { index: 1, time: 10, process: 'nemesis', type: 'invoke', f: 'start-partition', value: { n1: ['n2', 'n3'] } },
  { index: 2, time: 20, process: 0, type: 'info', f: 'txn', value: [['r', 'x', [1, 2]], ['append', 'y', 3]], error: 'timed-out', node: 'n1' },
  { index: 3, time: 30, process: 1, type: 'ok', f: 'write', value: 'a "quoted" string\n' },
];

describe('toJepsenEdn', () => {
  it('writes keywords where Jepsen expects them', () => {
    const text = toJepsenEdn(history);
    expect(text.split('\n')[0]).toBe('[{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:r "x" nil] [:append "y" 3]]}');
    expect(text).toContain(':process :nemesis');
    expect(text).toContain(':error :timed-out');
    expect(parseEdn(text)).toHaveLength(4);
  });

  it('round-trips through the EDN importer', () => {
    expect(parseJepsenEdn(toJepsenEdn(history)).history).toEqual(history);
    expect(toJepsenEdn([])).toBe('[]\n');
  });
});
