// The reference stores' definitions: one per bundled store, options turned into node program flags.
import { describe, expect, it } from 'vitest';
import { STORES } from '../../stores/registry.ts';
import { REFERENCE_DBS, storeArgv } from './entries.ts';

describe('reference store definitions', () => {
  it('has a definition for every bundled store, each saying what to expect', () => {
    expect(REFERENCE_DBS.map((d) => d.name).sort()).toEqual(Object.keys(STORES).map((s) => `reference:${s}`).sort());
    for (const d of REFERENCE_DBS) expect(d.expect?.length).toBeGreaterThan(0);
  });

  it('runs the store program with the node placeholders, its bug flags and option flags', () => {
    const argv = storeArgv('raft', ['no-fsync'], ['--election-ms', '300']);
    expect(argv.slice(-14)).toEqual([
      '--store', 'raft', '--id', '{node}', '--listen', '{listen}', '--peers', '{peers}', '--data-dir', '{data-dir}', '--bug', 'no-fsync', '--election-ms', '300',
    ]);
  });
});
