/**
 * A grow-only set (Knossos `set`): `add x` inserts, `read` must return exactly the elements
 * present (any order). The state is the sorted list of element keys.
 */
import { defaultPrepare, inconsistent, type Model, type ModelOp, type RawModelOp } from '../model.ts';
import { unknownOp } from './values.ts';

type Elements = readonly string[];

const elementKey = (x: unknown): string => JSON.stringify(x) ?? 'undefined';

export function setModel(init: unknown = []): Model<Elements> {
  const start = Array.isArray(init) ? [...new Set(init.map(elementKey))].sort() : [];
  return {
    name: 'set',
    init: () => start,
    key: (s) => s.join('\u0000'),
    prepare(op: RawModelOp): ModelOp | null {
      if (op.f !== 'add' && op.f !== 'read') throw unknownOp('set', op);
      const p = defaultPrepare(op);
      if (p === null || p.f === 'add') return p;
      if (p.outcome !== 'ok' || p.value === null) return null;
      if (!Array.isArray(p.value)) throw unknownOp('set', op, 'a set read must return a list of elements');
      return { f: 'read', value: [...new Set(p.value.map(elementKey))].sort(), outcome: 'ok' };
    },
    step(s: Elements, op: ModelOp) {
      if (op.f === 'add') {
        const k = elementKey(op.value);
        if (s.includes(k)) return s;
        return [...s, k].sort();
      }
      const read = op.value as Elements;
      if (read.length === s.length && read.every((x, i) => x === s[i])) return s;
      return inconsistent(() => `can't read {${read.join(' ')}} from set {${s.join(' ')}}`);
    },
    readOnly: (op) => op.f === 'read',
    describeState: (s) => `{${s.join(' ')}}`,
  };
}

