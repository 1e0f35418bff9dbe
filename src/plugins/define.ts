/**
 * `defineDb`, `defineWorkload`, `defineNemesis`, `defineChecker`, `defineProvider` and
 * `defineConfig`: how a user (and Faultline itself) writes a part. Each checks the shape at once,
 * with one line naming what is missing, and keeps the option types, so `create` gets its options
 * typed from the schema.
 *
 * @example
 * import { defineDb, opt } from 'faultline';
 * export default defineDb({
 *   name: 'redis',
 *   description: 'Redis 7 with Sentinel failover',
 *   workloads: ['register'],
 *   options: { port: opt.integer({ doc: 'client port', default: 6379, min: 1, max: 65535 }) },
 *   create({ options }) {
 *     const db = new RedisDb(options.port);     // options.port: number
 *     return { db, client: (w) => (w === 'register' ? registerClient(options.port) : undefined) };
 *   },
 * });
 */
import type { CheckerDefinition, DbDefinition, FaultlineConfig, NemesisDefinition, PartDefinition, PartKind, ProviderDefinition, WorkloadDefinition } from '../core/parts.ts';
import type { OptionSchema } from '../options/schema.ts';
import { checkDefinition } from './validate.ts';

type Def<D> = Omit<D, 'kind'> & { kind?: never };

function define<D extends PartDefinition>(kind: PartKind, d: object): D {
  const def = { ...d, kind } as PartDefinition;
  checkDefinition(def, kind, `${kind} ${JSON.stringify((d as { name?: unknown }).name ?? '(unnamed)')}`);
  return def as D;
}

/** A system under test: its adapter and clients, the workloads they serve, bug flags, options. */
export function defineDb<const S extends OptionSchema = Record<never, never>>(d: Def<DbDefinition<S>>): DbDefinition<S> {
  return define('db', d);
}

/** Ops to run, final reads after faults heal, and the checker that judges the history. */
export function defineWorkload<const S extends OptionSchema = Record<never, never>>(d: Def<WorkloadDefinition<S>>): WorkloadDefinition<S> {
  return define('workload', d);
}

/** A fault kind: its nemesis and how each fault is drawn. */
export function defineNemesis<const S extends OptionSchema = Record<never, never>>(d: Def<NemesisDefinition<S>>): NemesisDefinition<S> {
  return define('nemesis', d);
}

/** An analysis of a history. */
export function defineChecker<const S extends OptionSchema = Record<never, never>>(d: Def<CheckerDefinition<S>>): CheckerDefinition<S> {
  return define('checker', d);
}

/** Brings nodes up and down and offers fault primitives. */
export function defineProvider<const S extends OptionSchema = Record<never, never>>(d: Def<ProviderDefinition<S>>): ProviderDefinition<S> {
  return define('provider', d);
}

/** A `faultline.config.ts` default export: parts registered by name for every command. */
export function defineConfig(c: FaultlineConfig): FaultlineConfig {
  const lists: [keyof FaultlineConfig, PartKind][] = [['dbs', 'db'], ['workloads', 'workload'], ['nemeses', 'nemesis'], ['checkers', 'checker'], ['providers', 'provider']];
  for (const [key, kind] of lists) for (const d of c[key] ?? []) checkDefinition(d, kind, `config ${key}`);
  return c;
}
