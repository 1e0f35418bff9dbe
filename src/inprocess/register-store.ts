/**
 * In-process register stores for the register workload (`read`, `write v`, `cas [old, new]`,
 * each optionally keyed as `[k, ...]`). The correct store is one linearizable copy on the
 * primary. The `follower-reads` flaw applies writes and compare-and-sets on the primary but
 * serves reads from the client's node, whose copy learns of writes as the primary's messages
 * arrive (stale reads).
 */
import { modelStore, type InProcessStore, type ModelOp } from './model-node.ts';

export type RegisterFlaw = 'follower-reads';

type Registers = Map<string, unknown>;

/** [key, argument]: the key is null for the unkeyed register. */
function parts(op: ModelOp): [unknown, unknown, boolean] {
  const keyed = op.f === 'cas' ? Array.isArray(op.value) && Array.isArray((op.value as unknown[])[1]) : Array.isArray(op.value);
  return keyed ? [(op.value as [unknown, unknown])[0], (op.value as [unknown, unknown])[1], true] : [null, op.value, false];
}

export function registerStore(flaw?: RegisterFlaw): InProcessStore {
  return modelStore<Registers, [string, unknown]>({
    init: () => new Map(),
    where: (op) => (flaw && op.f === 'read' ? 'here' : 'primary'),
    apply(regs, op, ctx) {
      const [k, arg, keyed] = parts(op);
      const id = JSON.stringify(k);
      const set = (v: unknown): void => {
        regs.set(id, v);
        if (flaw) ctx.replicate([id, v]);
      };
      switch (op.f) {
        case 'read': {
          const v = regs.get(id) ?? null;
          return { type: 'ok', value: keyed ? [k, v] : v };
        }
        case 'write':
          set(arg);
          return { type: 'ok' };
        case 'cas': {
          if (!Array.isArray(arg) || arg.length !== 2) return { type: 'fail', error: 'cas value must be [expected, new]' };
          const [old, next] = arg as [unknown, unknown];
          if ((regs.get(id) ?? null) !== old) return { type: 'fail', error: 'cas-mismatch' };
          set(next);
          return { type: 'ok' };
        }
        default:
          return { type: 'fail', error: `unknown f ${op.f}` };
      }
    },
    merge: (regs, [id, v]) => void regs.set(id, v),
  });
}
