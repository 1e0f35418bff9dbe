/**
 * A multi-register (Knossos `multi-register`): a map of registers changed by `txn` ops whose
 * value is a list of micro-ops `[read, k, v]` / `[write, k, v]` (also `r` / `w`). A read of
 * null has an unknown value. Keys never written read as null.
 */
import { inconsistent, type Model, type ModelOp, type RawModelOp } from '../model.ts';
import { observed, sameValue, show, unknownOp } from './values.ts';

type Registers = Readonly<Record<string, unknown>>;
type Micro = [string, string, unknown];

const READ = new Set(['read', 'r']);
const WRITE = new Set(['write', 'w']);

function microOps(op: RawModelOp, value: unknown): Micro[] {
  if (!Array.isArray(value)) throw unknownOp('multi-register', op, 'txn value must be a list of [f, key, value] micro-ops');
  return value.map((m: unknown) => {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || !(READ.has(m[0]) || WRITE.has(m[0]))) {
      throw unknownOp('multi-register', op, `txn micro-op ${show(m)} is not [read|write, key, value]`);
    }
    return [READ.has(m[0]) ? 'read' : 'write', String(m[1]), m[2]];
  });
}

function stateKey(s: Registers): string {
  return JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k]]));
}

export function multiRegister(init: unknown = {}): Model<Registers> {
  const start: Registers = init !== null && typeof init === 'object' && !Array.isArray(init) ? { ...(init as Registers) } : {};
  return {
    name: 'multi-register',
    init: () => start,
    key: stateKey,
    prepare(op: RawModelOp): ModelOp | null {
      if (op.f !== 'txn') throw unknownOp('multi-register', op);
      if (op.outcome === 'fail') return null;
      const micro = microOps(op, observed(op)).filter((m) => !(m[0] === 'read' && (m[2] === null || op.outcome !== 'ok')));
      if (micro.length === 0) return null;
      return { f: 'txn', value: micro, outcome: op.outcome };
    },
    step(s: Registers, op: ModelOp) {
      let next: Record<string, unknown> | undefined;
      for (const [f, k, v] of op.value as Micro[]) {
        const cur = next ?? s;
        if (f === 'read') {
          if (!sameValue(cur[k] ?? null, v)) return inconsistent(() => `can't read ${show(v)} from ${k}: it is ${show(cur[k] ?? null)}`);
        } else {
          next ??= { ...s };
          next[k] = v;
        }
      }
      return next ?? s;
    },
    readOnly: (op: ModelOp) => (op.value as Micro[]).every((m) => m[0] === 'read'),
    describeState: stateKey,
  };
}
