// The registry of parts: Faultline's own loaded once, parts added by a config found by name even
// when several lookups run at once (as `--nemesis partition,failover` does).
import { describe, expect, it } from 'vitest';
import type { NemesisDefinition } from '../core/parts.ts';
import { defineNemesis } from './define.ts';
import { Registry } from './registry.ts';

const nemesis = (name: string): NemesisDefinition =>
  defineNemesis({ name, description: name, create: () => ({ nemesis: { name, fs: [], invoke: async () => ({ type: 'ok' }) }, start: () => ({ f: `start-${name}` }) }) });

describe('Registry', () => {
  it('finds a builtin and an added part looked up at the same time, loading the builtins once', async () => {
    let loads = 0;
    const registry = new Registry<NemesisDefinition>('nemesis', async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [nemesis('partition')];
    });
    registry.add(nemesis('failover'), 'config faultline.config.ts');
    const found = await Promise.all([registry.get('partition'), registry.get('failover')]);
    expect(found.map((d) => d.name)).toEqual(['partition', 'failover']);
    expect((await registry.all()).map((d) => d.name).sort()).toEqual(['failover', 'partition']);
    expect(loads).toBe(1);
  });

  it('refuses an unknown name with a did-you-mean', async () => {
    const registry = new Registry<NemesisDefinition>('nemesis', async () => [nemesis('partition')]);
    await expect(registry.get('partiton')).rejects.toThrow(/unknown nemesis "partiton"; did you mean partition\?/);
  });
});
