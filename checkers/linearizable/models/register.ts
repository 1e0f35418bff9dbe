/**
 * Registers: `register` (read / write), `cas-register` (read / write / cas [old new]) and
 * `etcd-register`, the cas-register with the semantics of Jepsen's 2014 etcd logs.
 *
 * Knossos semantics (the default): a read that returns nil has an unknown value and is dropped;
 * a failed cas did not happen. absent-cas-register (what Faultline's register workload uses): a
 * nil read means the register is empty and must match. etcd-register: the register starts absent (null), a nil read
 * means "no value" and must match, and a failed cas is a compare that failed (legal only when
 * the register does not hold `old`). Reads with an unknown result (crashed, or failed) are dropped.
 */
import { inconsistent, type Model, type ModelOp, type RawModelOp } from '../model.ts';
import { sameValue, show, unknownOp, valueKey } from './values.ts';

export interface RegisterOptions {
  /** Allow cas ops. */
  cas: boolean;
  /** A read returning null has an unknown value (Knossos) instead of meaning "absent". */
  nilReadsUnknown: boolean;
  /** A failed cas is a compare that failed (etcd logs) instead of an op that did not happen. */
  failedCasIsCompare: boolean;
}

function casPair(op: RawModelOp, name: string): [unknown, unknown] {
  const v = op.invokeValue;
  if (!Array.isArray(v) || v.length !== 2) throw unknownOp(name, op, `cas value must be [old, new]`);
  return [v[0], v[1]];
}

/** The models built here: the unique-value fast path relies on exactly these semantics. */
export const builtInRegisters = new WeakSet<Model<unknown>>();

export function registerModel(name: string, init: unknown, opts: RegisterOptions): Model<unknown> {
  const model: Model<unknown> = {
    name,
    init: () => init,
    key: valueKey,
    prepare(op: RawModelOp): ModelOp | null {
      switch (op.f) {
        case 'read': {
          if (op.outcome !== 'ok') return null;
          const v = op.completionValue === undefined ? op.invokeValue : op.completionValue;
          if (v === null && opts.nilReadsUnknown) return null;
          return { f: 'read', value: v, outcome: 'ok' };
        }
        case 'write':
          return op.outcome === 'fail' ? null : { f: 'write', value: op.invokeValue, outcome: op.outcome };
        case 'cas': {
          if (!opts.cas) throw unknownOp(name, op);
          const pair = casPair(op, name);
          if (op.outcome === 'fail') return opts.failedCasIsCompare ? { f: 'cas-failed', value: pair, outcome: 'ok' } : null;
          return { f: 'cas', value: pair, outcome: op.outcome };
        }
        default:
          throw unknownOp(name, op);
      }
    },
    step(state: unknown, op: ModelOp): unknown {
      switch (op.f) {
        case 'read':
          return sameValue(state, op.value) ? state : inconsistent(() => `can't read ${show(op.value)} from register ${show(state)}`);
        case 'write':
          return op.value;
        case 'cas': {
          const [from, to] = op.value as [unknown, unknown];
          return sameValue(state, from) ? to : inconsistent(() => `can't cas ${show(from)} to ${show(to)}: register is ${show(state)}`);
        }
        default: {
          const [from] = op.value as [unknown, unknown];
          return sameValue(state, from) ? inconsistent(() => `cas from ${show(from)} can't fail: register is ${show(state)}`) : state;
        }
      }
    },
    readOnly: (op: ModelOp) => op.f === 'read' || op.f === 'cas-failed',
    describeState: show,
  };
  builtInRegisters.add(model);
  return model;
}

export function register(init: unknown = null): Model<unknown> {
  return registerModel('register', init, { cas: false, nilReadsUnknown: true, failedCasIsCompare: false });
}

export function casRegister(init: unknown = null): Model<unknown> {
  return registerModel('cas-register', init, { cas: true, nilReadsUnknown: true, failedCasIsCompare: false });
}

/**
 * The cas-register as Faultline's own clients report it: a read of null means the register is
 * empty (so losing every write is caught), and a failed cas did not happen.
 */
export function absentCasRegister(init: unknown = null): Model<unknown> {
  return registerModel('absent-cas-register', init, { cas: true, nilReadsUnknown: false, failedCasIsCompare: false });
}

export function etcdRegister(init: unknown = null): Model<unknown> {
  return registerModel('etcd-register', init, { cas: true, nilReadsUnknown: false, failedCasIsCompare: true });
}
