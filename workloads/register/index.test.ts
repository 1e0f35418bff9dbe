// Tests for the register workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { simulate } from '../../src/generator/simulate.ts';
import { optionValues } from '../../src/options/parse.ts';
import { BUILTIN_WORKLOADS } from '../index.ts';
import { RecentWrites, registerOp } from './index.ts';

describe('register workload', () => {
  it('writes and compare-and-sets fresh values, unkeyed or keyed', () => {
    const rng = makeRng(1);
    const fs = new Set<string>();
    for (let n = 0; n < 300; n++) {
      const o = registerOp(rng, n);
      fs.add(o.f);
      if (o.f === 'write') expect(o.value).toBe(n);
      if (o.f === 'cas') expect((o.value as number[])[1]).toBe(n);
      if (o.f === 'read') expect(o.value).toBeNull();
      const k = registerOp(rng, n, { keys: 2 });
      expect((k.value as unknown[])[0]).toBeLessThan(2);
    }
    expect([...fs].sort()).toEqual(['cas', 'read', 'write']);
  });

  it('compare-and-sets expect a value the generator wrote recently to that register', () => {
    const rng = makeRng(2);
    const recent = new RecentWrites();
    const written = new Map<number, number[]>();
    let cas = 0;
    for (let n = 1; n < 2000; n++) {
      const o = registerOp(rng, n, { keys: 3, casRatio: 0.3 }, recent);
      const [key, v] = o.value as [number, unknown];
      const mine = written.get(key) ?? [];
      if (o.f === 'cas') {
        const [expected, next] = v as [number, number];
        if (mine.length > 0) {
          expect(mine.slice(-3)).toContain(expected);
          cas++;
        }
        expect(next).toBe(n);
      }
      if (o.f !== 'read') written.set(key, [...mine, n]);
    }
    expect(cas).toBeGreaterThan(400);
  });
});

describe('register workload, read-modify-write (cas-from=read)', () => {
  it('a compare-and-set expects what its process last read, once it has read', async () => {
    const def = BUILTIN_WORKLOADS.find((w) => w.name === 'register')!;
    const test = { name: 't', nodes: ['n1'], concurrency: 4, timeLimitS: 1, opTimeoutMs: 1000, seed: 1, options: {} };
    const options = optionValues('workload register', def.options ?? {}, { 'cas-ratio': 0.4, 'read-ratio': 0.4, 'cas-from': 'read' });
    const workload = await def.create({ options, test });
    // Every read returns a value of its own; some fail, so only ok reads may count.
    const h = simulate(workload.generator, { concurrency: 4, seed: 5, maxInvocations: 600, latencyMs: 1, complete: (inv) => (inv.f === 'read' ? (inv.index % 7 === 0 ? { type: 'fail' } : { value: 1000 + inv.index }) : {}) });
    const lastRead = new Map<unknown, unknown>();
    let checked = 0;
    for (const op of h) {
      if (op.f === 'read' && op.type === 'ok') lastRead.set(op.process, op.value);
      if (op.f === 'cas' && op.type === 'invoke' && lastRead.has(op.process)) {
        expect((op.value as [unknown, unknown])[0]).toBe(lastRead.get(op.process));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
