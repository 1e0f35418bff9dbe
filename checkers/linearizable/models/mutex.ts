/**
 * A mutex (Knossos `mutex`): acquire succeeds only when unlocked, release only when locked.
 * The state is `true` while held. A failed acquire or release did not happen.
 */
import { defaultPrepare, inconsistent, type Model, type ModelOp, type RawModelOp } from '../model.ts';
import { unknownOp } from './values.ts';

export function mutex(init: unknown = false): Model<boolean> {
  const locked = init === true || init === 'locked';
  return {
    name: 'mutex',
    init: () => locked,
    key: (s) => (s ? 1 : 0),
    prepare(op: RawModelOp): ModelOp | null {
      if (op.f !== 'acquire' && op.f !== 'release') throw unknownOp('mutex', op);
      return defaultPrepare(op);
    },
    step(held: boolean, op: ModelOp) {
      if (op.f === 'acquire') return held ? inconsistent(() => 'cannot acquire: the mutex is held') : true;
      return held ? false : inconsistent(() => 'cannot release: the mutex is not held');
    },
    describeState: (s) => (s ? 'locked' : 'unlocked'),
  };
}
