/**
 * This example's own test, for CI, through Faultline's library API: the two runs it is about and
 * the verdicts they must give. Exits 0 when both verdicts are as expected.
 *
 *   npm test                                        # as root: local network namespaces
 *   npm test -- --opt local.prefix=rx --results-dir /tmp/results
 */
import { parseArgs } from 'node:util';
import { planTest, run, testSpec } from 'faultline';

const { values } = parseArgs({ options: { opt: { type: 'string', multiple: true, default: [] }, 'results-dir': { type: 'string', default: 'results' } } });
const extraOptions = Object.fromEntries(values.opt.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

const cases: { name: string; nemesis: string[]; timeLimitS: number; options: Record<string, string>; expected: boolean }[] = [
  { name: 'redis-no-faults', nemesis: [], timeLimitS: 10, options: {}, expected: true },
  // Two partitions of 8 s, each isolating the primary: the sentinels fail over within 2-3 s.
  { name: 'redis-partition', nemesis: ['partition'], timeLimitS: 30, options: { 'partition.shapes': 'primaries', 'nemesis.spacing': 'fixed' }, expected: false },
];

let wrong = 0;
for (const c of cases) {
  const spec = testSpec({
    name: c.name, db: './redis.ts', workload: 'register', nemesis: c.nemesis, nemesisIntervalS: 8,
    nodes: ['n1', 'n2', 'n3'], timeLimitS: c.timeLimitS, resultsDir: values['results-dir'], options: { ...c.options, ...extraOptions },
  });
  const outcome = await run(await planTest(spec));
  const verdict = outcome.valid === true ? 'VALID' : outcome.valid === false ? 'INVALID' : 'UNKNOWN';
  if (outcome.valid !== c.expected || outcome.setupError !== undefined) wrong++;
  console.log(`${c.name}: ${verdict}, expected ${c.expected ? 'VALID' : 'INVALID'} (${outcome.runDir})`);
}
process.exit(wrong === 0 ? 0 : 1);
