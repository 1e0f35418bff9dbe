// The --opt nemesis.* keys: parsed into nemesis options, bad values refused with the key named.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { nemesisOptions } from './options.ts';

describe('nemesis options', () => {
  it('parses every key', () => {
    expect(
      nemesisOptions({
        'nemesis.targets': 'primaries',
        'nemesis.partition-shapes': 'primaries, majority',
        'nemesis.clock-max-delta-ms': '60000',
        'nemesis.clock-min-delta-ms': '8000',
        'nemesis.clock-direction': 'back',
        'nemesis.spacing': 'fixed',
        'other.key': 'ignored',
      }),
    ).toEqual({ targets: 'primaries', partitionShapes: ['primaries', 'majority'], maxClockDeltaMs: 60000, minClockDeltaMs: 8000, clockDirection: 'back', spacing: 'fixed' });
    expect(nemesisOptions({})).toEqual({});
  });

  it('refuses bad values, naming the key', () => {
    expect(() => nemesisOptions({ 'nemesis.clock-direction': 'sideways' })).toThrow(/nemesis\.clock-direction must be one of back, forward, both/);
    expect(() => nemesisOptions({ 'nemesis.clock-max-delta-ms': '5' })).toThrow(UsageError);
    expect(() => nemesisOptions({ 'nemesis.spacing': 'even' })).toThrow(/nemesis\.spacing must be one of random, fixed/);
    expect(() => nemesisOptions({ 'nemesis.partition-shapes': ' , ' })).toThrow(/nemesis\.partition-shapes needs at least one/);
  });
});
