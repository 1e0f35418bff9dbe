// `--topology` on the command line: `faultline list` shows the profiles (text and JSON); a
// profile file is recorded by its absolute path and the replay command carries the topology.
// (What it refuses up front is in up-front-refusals.test.ts.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { replayArgv, specFromFlags, type TestFlags } from '../src/cli/test.ts';

const BIN = fileURLToPath(new URL('../bin/faultline.js', import.meta.url));

describe('--topology on the command line', () => {
  it('faultline list shows the profiles with their regions and links', async () => {
    const text = (await execa('node', [BIN, 'list'])).stdout;
    expect(text).toContain('topologies (--topology <name>, or a JSON file of your own');
    expect(text).toMatch(/three-regions\s+three regions at 30 \/ 80 \/ 150 ms round trip/);
    expect(text).toContain('us-east ↔ eu-west 80 ms RTT (60 ms us-east → eu-west, 20 ms back), jitter up to 4 ms each way');
    const json = JSON.parse((await execa('node', [BIN, 'list', '--json'])).stdout) as { topologies: { name: string; regions: { name: string }[] }[] };
    expect(json.topologies.map((t) => t.name)).toEqual(['single-region', 'three-regions', 'two-regions-asym']);
    expect(json.topologies[1]!.regions.map((r) => r.name)).toEqual(['us-east', 'us-central', 'eu-west']);
  });

  it('records a profile file by its absolute path and replays with it', () => {
    const flags = { db: 'reference:lww', workload: 'register', nemesis: 'none', checker: [], nemesisInterval: '10', nodes: '5', concurrency: '10', timeLimit: '60', rate: '100', opTimeout: '5000', recovery: '5', bug: [], resultsDir: 'results', checkerTime: '300', opt: [], config: [], install: true, progress: false };
    const fromFile = specFromFlags({ ...flags, topology: './mine.json' } as TestFlags);
    expect(fromFile.topology).toBe(path.resolve('mine.json'));
    const named = specFromFlags({ ...flags, topology: 'three-regions' } as TestFlags);
    expect(named.topology).toBe('three-regions');
    const argv = replayArgv(named);
    expect(argv.slice(argv.indexOf('--topology'), argv.indexOf('--topology') + 2)).toEqual(['--topology', 'three-regions']);
    expect(replayArgv(specFromFlags(flags as TestFlags))).not.toContain('--topology');
  });
});
