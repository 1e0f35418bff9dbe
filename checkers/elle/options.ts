/**
 * The transactional checkers' options as given on the command line (`--opt key=value`), in
 * Elle's names: `linearizable-keys`, `sequential-keys` and `wfr-keys` (Elle's trailing `?` may be
 * written too) for both checkers, `garbage-reads` for rw-register. Values are true or false.
 */
import { UsageError } from '../../src/core/errors.ts';
import type { RwRegisterOptions } from './rw-register.ts';
import type { KeyOrderOptions } from './version-order.ts';

const KEY_ORDER_FLAGS = { 'linearizable-keys': 'linearizableKeys', 'sequential-keys': 'sequentialKeys', 'wfr-keys': 'wfrKeys' } as const;

/** The flag names each checker reads, for help texts. */
export const ELLE_FLAGS: Readonly<Record<'list-append' | 'rw-register', readonly string[]>> = {
  'list-append': Object.keys(KEY_ORDER_FLAGS),
  'rw-register': [...Object.keys(KEY_ORDER_FLAGS), 'garbage-reads'],
};

function flag(flags: Readonly<Record<string, string>>, name: string): boolean | undefined {
  const text = flags[name] ?? flags[`${name}?`];
  if (text === undefined) return undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new UsageError(`--opt ${name} must be true or false, got ${JSON.stringify(text)}`);
}

/**
 * The options a checker reads from `--opt` flags; flags it does not know are left to the other
 * checkers of the run. Example: `{ 'linearizable-keys': 'true' }` → `{ linearizableKeys: true }`.
 */
export function elleOptionsFromFlags(flags: Readonly<Record<string, string>>, checker: 'list-append' | 'rw-register'): KeyOrderOptions & RwRegisterOptions {
  const out: KeyOrderOptions & RwRegisterOptions = {};
  for (const [name, key] of Object.entries(KEY_ORDER_FLAGS)) {
    const v = flag(flags, name);
    if (v !== undefined) out[key] = v;
  }
  const garbage = checker === 'rw-register' ? flag(flags, 'garbage-reads') : undefined;
  if (garbage !== undefined) out.garbageReads = garbage;
  return out;
}
