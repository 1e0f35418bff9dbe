/**
 * Sound pruning of indeterminate register writes before the search. Crashed writes are
 * concurrent with everything after their invocation, so each one doubles the configurations to
 * explore; most are never observed.
 *
 * Rule (built-in registers, partitions without failed-compare cas ops): drop an indeterminate
 * write of v, or an indeterminate cas whose new value is v, when no op observes v: no ok read
 * returns v and no cas expects v. Proof: if a linearization places such an op, no op can sit
 * between it and the next op that sets the register (it would have to read v or compare with
 * v), so dropping it leaves every other op legal; conversely the op is optional. A failed-compare
 * cas observes "not old", which the rule does not track, so those partitions are left alone.
 */
import type { Model } from './model.ts';
import { builtInRegisters } from './models/register.ts';
import { valueKey } from './models/values.ts';
import type { Partition } from './prepare.ts';

/** The partition without unobservable indeterminate writes, and how many were dropped. */
export function pruneUnobservedWrites(model: Model<any>, p: Partition): { partition: Partition; dropped: number } {
  if (!builtInRegisters.has(model) || p.ops.some((op) => op.f === 'cas-failed')) return { partition: p, dropped: 0 };
  const observed = new Set<string | number>();
  for (const op of p.ops) {
    if (op.f === 'read') observed.add(valueKey(op.value));
    else if (op.f === 'cas') observed.add(valueKey((op.value as [unknown, unknown])[0]));
  }
  const keep = p.ops.map((op, e) => {
    if (p.ret[e] !== Infinity || (op.f !== 'write' && op.f !== 'cas')) return true;
    return observed.has(valueKey(op.f === 'write' ? op.value : (op.value as [unknown, unknown])[1]));
  });
  const dropped = keep.filter((k) => !k).length;
  if (dropped === 0) return { partition: p, dropped };
  const pick = <T,>(xs: T[]): T[] => xs.filter((_, e) => keep[e]);
  return { partition: { key: p.key, ops: pick(p.ops), call: pick(p.call), ret: pick(p.ret), completion: pick(p.completion) }, dropped };
}
