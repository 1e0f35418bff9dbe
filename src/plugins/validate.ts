/**
 * Checks that a value is a part definition of the expected kind, as a user's module must export
 * it: every required field present with the right type, option specs well formed. The first
 * problem is one UsageError line naming the field and what it should be.
 */
import { UsageError } from '../core/errors.ts';
import type { PartKind } from '../core/parts.ts';

const OPTION_TYPES = ['boolean', 'number', 'string', 'enum', 'list'];

/** Required fields per kind, each with what it should be (for the message). */
const REQUIRED: Readonly<Record<PartKind, readonly [field: string, type: 'string' | 'function' | 'string[]', what: string][]>> = {
  db: [
    ['name', 'string', 'the name used with --db'],
    ['description', 'string', 'one line for `faultline list`'],
    ['workloads', 'string[]', 'the workloads it has clients for, e.g. ["register"]'],
    ['create', 'function', 'a function returning { db, client(workload) }'],
  ],
  workload: [
    ['name', 'string', 'the name used with --workload'],
    ['description', 'string', 'one line for `faultline list`'],
    ['create', 'function', 'a function returning { name, generator, finalGenerator, checker }'],
  ],
  nemesis: [
    ['name', 'string', 'the name used with --nemesis; its ops are start-<name> and stop-<name>'],
    ['description', 'string', 'one line for `faultline list`'],
    ['create', 'function', 'a function returning { nemesis, start(rng) }'],
  ],
  checker: [
    ['name', 'string', 'the name used with --checker'],
    ['description', 'string', 'one line for `faultline list`'],
    ['create', 'function', 'a function returning a Checker { name, check(history, ctx) }'],
  ],
  provider: [
    ['name', 'string', 'the name used with --provider'],
    ['description', 'string', 'one line for `faultline list`'],
    ['installsOn', 'string', '"controller", "nodes" or "none": where what the parts need gets installed'],
    ['create', 'function', 'a function returning a Provider { name, up(), down() }'],
  ],
};

function typeOk(value: unknown, type: 'string' | 'function' | 'string[]'): boolean {
  if (type === 'string[]') return Array.isArray(value) && value.every((x) => typeof x === 'string');
  return typeof value === type && (type !== 'string' || (value as string).length > 0);
}

/** Throws a UsageError naming the first thing `value` lacks to be a `kind` definition. */
export function checkDefinition(value: unknown, kind: PartKind, where: string): void {
  const fail = (what: string): never => {
    throw new UsageError(`${where}: not a Faultline ${kind} definition: ${what} (see docs/your-database.md)`);
  };
  if (value === null || typeof value !== 'object') return fail(`expected an object, got ${value === null ? 'null' : typeof value}`);
  const d = value as Record<string, unknown>;
  if (d['kind'] !== undefined && d['kind'] !== kind) return fail(`it is a ${String(d['kind'])} definition`);
  for (const [field, type, what] of REQUIRED[kind]) {
    if (!(field in d) || d[field] === undefined) return fail(`missing "${field}" (${what})`);
    if (!typeOk(d[field], type)) return fail(`"${field}" must be ${type === 'string[]' ? 'an array of strings' : `a ${type}`} (${what})`);
  }
  if (d['options'] !== undefined) {
    if (d['options'] === null || typeof d['options'] !== 'object') return fail('"options" must be an object of option specs (opt.integer(...), opt.boolean(...), ...)');
    for (const [name, spec] of Object.entries(d['options'] as Record<string, unknown>)) {
      const s = spec as Record<string, unknown> | null;
      if (s === null || typeof s !== 'object' || !OPTION_TYPES.includes(String(s['type']))) return fail(`option "${name}" is not an option spec (use opt.boolean / opt.number / opt.integer / opt.string / opt.enum / opt.list)`);
      if (typeof s['doc'] !== 'string') return fail(`option "${name}" has no "doc" (one line saying what it does)`);
    }
  }
}
