// SerialNemesis: calls run one at a time, a failed call does not block the next, and settled()
// says whether the calls so far have ended.
import { describe, expect, it } from 'vitest';
import type { Completion } from '../core/client.ts';
import type { RunContext } from '../core/context.ts';
import type { Nemesis, NemesisOp } from '../core/nemesis.ts';
import { SerialNemesis } from './serial-nemesis.ts';

const ctx = {} as RunContext;
const signal = new AbortController().signal;

/** A nemesis whose calls end only when the test says so, logging when each starts and ends. */
function gated() {
  const log: string[] = [];
  const release = new Map<string, (fail: boolean) => void>();
  const nemesis: Nemesis = {
    name: 'gated',
    fs: ['start', 'stop'],
    invoke: (_c, op: NemesisOp) =>
      new Promise<Completion>((resolve, reject) => {
        log.push(`begin ${op.f}`);
        release.set(op.f, (fail) => {
          log.push(`end ${op.f}`);
          if (fail) reject(new Error(`${op.f} failed`));
          else resolve({ type: 'ok' });
        });
      }),
  };
  const tick = () => new Promise((r) => setTimeout(r, 5));
  return { nemesis, log, release: (f: string, fail = false) => release.get(f)!(fail), tick };
}

describe('SerialNemesis', () => {
  it('starts a call only after the one before it ended, even when that one failed', async () => {
    const g = gated();
    const s = new SerialNemesis(g.nemesis);
    expect([s.name, s.fs]).toEqual(['gated', ['start', 'stop']]);
    const start = s.invoke(ctx, { f: 'start', value: null }, { signal });
    const stop = s.invoke(ctx, { f: 'stop', value: null }, { signal });
    await g.tick();
    expect(g.log).toEqual(['begin start']);
    g.release('start', true);
    await expect(start).rejects.toThrow('start failed');
    await g.tick();
    expect(g.log).toEqual(['begin start', 'end start', 'begin stop']);
    g.release('stop');
    await expect(stop).resolves.toEqual({ type: 'ok' });
  });

  it('settled() is false while a call runs past the wait, true once every call ended', async () => {
    const g = gated();
    const s = new SerialNemesis(g.nemesis);
    expect(await s.settled(10)).toBe(true);
    const start = s.invoke(ctx, { f: 'start', value: null }, { signal });
    await g.tick();
    expect(await s.settled(10)).toBe(false);
    g.release('start');
    await start;
    expect(await s.settled(10)).toBe(true);
  });
});
