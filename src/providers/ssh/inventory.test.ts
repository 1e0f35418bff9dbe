// Inventory parsing: defaults and per-node overrides, and one clear error naming the file and
// field for each kind of mistake.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { parseInventory } from './inventory.ts';

describe('parseInventory', () => {
  it('applies defaults and per-node overrides', () => {
    const inv = parseInventory({ user: 'ops', privateKey: '/k', knownHosts: '/kh', nodes: [{ name: 'n1', host: 'h1' }, { name: 'n2', host: 'h2', address: '10.0.0.2', port: 2222, user: 'root' }] });
    expect(inv.nodes).toEqual([
      { name: 'n1', host: 'h1', address: 'h1', port: 22, user: 'ops', privateKey: '/k' },
      { name: 'n2', host: 'h2', address: '10.0.0.2', port: 2222, user: 'root', privateKey: '/k' },
    ]);
    expect(inv.hostKeyPolicy).toBe('strict');
    expect(inv.knownHosts).toBe('/kh');
  });

  it('names the file and the field at fault', () => {
    const cases: [unknown, RegExp][] = [
      [[], /inv\.json: \(top level\)/],
      [{ nodes: [] }, /inv\.json: nodes: must be a non-empty array/],
      [{ nodes: [{ name: 'n1' }] }, /nodes\[0\]\.host: must be a non-empty string/],
      [{ nodes: [{ name: 'n1', host: 'a' }, { name: 'n1', host: 'b' }] }, /nodes\[1\]\.name: duplicate node name "n1"/],
      [{ nodes: [{ name: 'n1', host: 'a', port: 70000 }] }, /nodes\[0\]\.port/],
      [{ hostKeyPolicy: 'yes', nodes: [{ name: 'n1', host: 'a' }] }, /hostKeyPolicy/],
      [{ sudo: 'no', nodes: [{ name: 'n1', host: 'a' }] }, /sudo: must be true or false/],
    ];
    for (const [data, msg] of cases) {
      expect(() => parseInventory(data, 'inv.json')).toThrow(InputError);
      expect(() => parseInventory(data, 'inv.json')).toThrow(msg);
    }
  });
});
