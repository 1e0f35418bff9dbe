/**
 * A checker of one's own: client ops that took longer than `--opt slow-ops.max-ms` (default
 * 1000) from invocation to completion, say because a failover left clients waiting.
 *
 *   npx faultline test --db ./redis.ts --checker ./slow-ops.ts --opt slow-ops.max-ms=500 --nodes 3
 */
import { defineChecker, opt, type Op } from 'faultline';

export default defineChecker({
  name: 'slow-ops',
  description: 'client ops slower than slow-ops.max-ms',
  options: { 'max-ms': opt.integer({ doc: 'the longest an op may take, ms', default: 1000, min: 1 }) },
  create: ({ options }) => ({
    name: 'slow-ops',
    check(history) {
      const invoked = new Map<number, Op>();
      const slow: { index: number; f: string; type: string; ms: number }[] = [];
      for (const op of history) {
        if (typeof op.process !== 'number') continue; // nemesis ops
        if (op.type === 'invoke') {
          invoked.set(op.process, op);
          continue;
        }
        const start = invoked.get(op.process)!;
        const ms = (op.time - start.time) / 1e6;
        if (ms > options['max-ms']) slow.push({ index: start.index, f: op.f, type: op.type, ms: Math.round(ms) });
      }
      return { valid: slow.length === 0, count: slow.length, slowest: slow.sort((a, b) => b.ms - a.ms).slice(0, 10) };
    },
  }),
});
