// Compaction's roots: a configuration is dropped when another with the same state and required
// ops has a subset of the crashed ops applied (it can do everything the dropped one can).
import { describe, expect, it } from 'vitest';
import { withoutSubsumed } from './roots.ts';

/** A memo key: state, required lo word and words, optional lo word and words. */
function key(state: number, req: [number, number[]], opt: [number, number[]]): Uint32Array {
  return Uint32Array.from([state, req[0], opt[0], req[1].length, ...req[1], ...opt[1]]);
}

describe('roots kept by compaction', () => {
  const kept = key(7, [2, [0b11]], [0, []]);

  it('drops configurations the kept one subsumes, and never returns the kept one', () => {
    const sameButMoreCrashedApplied = key(7, [2, [0b11]], [0, [0b101]]);
    expect(withoutSubsumed([sameButMoreCrashedApplied], kept)).toEqual([]);
  });

  it('keeps configurations with another state or other required ops', () => {
    const otherState = key(8, [2, [0b11]], [0, [0b1]]);
    const otherRequired = key(7, [2, [0b111]], [0, [0b1]]);
    expect(withoutSubsumed([otherState, otherRequired], kept)).toEqual([otherState, otherRequired]);
  });

  it('among configurations alike but for crashed ops, keeps the minimal sets only', () => {
    const kept2 = key(1, [0, []], [0, [0b1]]);
    const a = key(3, [0, [0b1]], [0, [0b0110]]);
    const b = key(3, [0, [0b1]], [0, [0b0010]]);
    const c = key(3, [0, [0b1]], [0, [0b1000]]);
    const d = key(3, [0, [0b1]], [1, []]); // every op of word 0 applied
    expect(withoutSubsumed([a, b, c, d], kept2)).toEqual([b, c]);
  });
});
