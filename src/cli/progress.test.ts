// The online part of the progress line: nothing without online checking, the running verdict with it.
import { describe, expect, it } from 'vitest';
import { onlineText } from './progress.ts';

describe('onlineText', () => {
  it('says nothing without online checking, and the running verdict with it', () => {
    expect(onlineText(undefined)).toBe('');
    expect(onlineText({ checkers: 0, violations: [] })).toBe(' | online: no checker checks op by op');
    expect(onlineText({ checkers: 1, violations: [] })).toBe(' | online: no violation yet (1 checker)');
    expect(onlineText({ checkers: 2, violations: ['linearizable', 'counter'] })).toBe(' | online: INVALID (linearizable, counter)');
  });
});
