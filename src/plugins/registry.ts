/**
 * The registries of parts by name: Faultline's own (loaded on first use, so a command pays only
 * for the kinds it needs), the parts of config files (`faultline.config.ts`), and modules named
 * by path (`--db ./my-db.ts`). A name that is not there is a UsageError with a did-you-mean.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { CheckerDefinition, DbDefinition, FaultlineConfig, NemesisDefinition, PartDefinition, PartKind, ProviderDefinition, WorkloadDefinition } from '../core/parts.ts';
import { didYouMean } from '../options/parse.ts';
import { importModule, looksLikePath } from './load.ts';
import { checkDefinition } from './validate.ts';

const FLAG: Readonly<Record<PartKind, string>> = { db: '--db', workload: '--workload', nemesis: '--nemesis', checker: '--checker', provider: '--provider' };

export class Registry<D extends PartDefinition> {
  readonly kind: D['kind'];
  readonly #loadBuiltins: () => Promise<readonly D[]>;
  /** Loaded once: lookups running at the same time (several --nemesis names) share one table. */
  #byName: Promise<Map<string, { def: D; source: string }>> | undefined;
  readonly #pending: { def: D; source: string }[] = [];

  constructor(kind: D['kind'], loadBuiltins: () => Promise<readonly D[]>) {
    this.kind = kind;
    this.#loadBuiltins = loadBuiltins;
  }

  async #table(): Promise<Map<string, { def: D; source: string }>> {
    this.#byName ??= this.#loadBuiltins().then((defs) => new Map(defs.map((def) => [def.name, { def, source: 'faultline' }])));
    const table = await this.#byName;
    for (const p of this.#pending.splice(0)) this.#put(table, p);
    return table;
  }

  #put(table: Map<string, { def: D; source: string }>, p: { def: D; source: string }): void {
    const had = table.get(p.def.name);
    if (had && had.def !== p.def) throw new UsageError(`${this.kind} ${JSON.stringify(p.def.name)} is defined twice: by ${had.source} and by ${p.source}`);
    table.set(p.def.name, p);
  }

  /** Registers a part (from a config file or a module); a clash of names is a UsageError. */
  add(def: D, source: string): void {
    checkDefinition(def, this.kind, source);
    this.#pending.push({ def, source });
  }

  async all(): Promise<D[]> {
    return [...(await this.#table()).values()].map((e) => e.def);
  }

  /** A part by registered name, or by module path (loaded, checked and registered). */
  async get(nameOrPath: string): Promise<D> {
    if (looksLikePath(nameOrPath)) return this.#fromModule(nameOrPath);
    const table = await this.#table();
    const e = table.get(nameOrPath);
    if (e) return e.def;
    const names = [...table.keys()].sort();
    const near = didYouMean(nameOrPath, names);
    throw new UsageError(
      `unknown ${this.kind} ${JSON.stringify(nameOrPath)}${near.length ? `; did you mean ${near.join(' or ')}?` : ''}; known: ${names.join(', ')} (or a module path: ${FLAG[this.kind]} ./my-${this.kind}.ts)`,
    );
  }

  async #fromModule(path: string): Promise<D> {
    const mod = await importModule(path, `${FLAG[this.kind]}`);
    const candidates = 'default' in mod ? [mod['default']] : Object.values(mod).filter((v) => (v as { kind?: unknown } | null)?.kind === this.kind);
    if (candidates.length !== 1) {
      throw new UsageError(`${FLAG[this.kind]} ${path}: the module must export its ${this.kind} definition as default (export default define${this.kind === 'db' ? 'Db' : this.kind[0]!.toUpperCase() + this.kind.slice(1)}({...}))`);
    }
    const def = candidates[0] as D;
    checkDefinition(def, this.kind, `${FLAG[this.kind]} ${path}`);
    const table = await this.#table();
    this.#put(table, { def, source: resolve(path) });
    return def;
  }
}

/** Every kind of part, by name. */
export interface Parts {
  readonly dbs: Registry<DbDefinition>;
  readonly workloads: Registry<WorkloadDefinition>;
  readonly nemeses: Registry<NemesisDefinition>;
  readonly checkers: Registry<CheckerDefinition>;
  readonly providers: Registry<ProviderDefinition>;
}

/** Faultline's own parts, each kind loaded on first use. */
export function builtinParts(): Parts {
  return {
    dbs: new Registry<DbDefinition>('db', async () => (await import('../db/index.ts')).BUILTIN_DBS),
    workloads: new Registry<WorkloadDefinition>('workload', async () => (await import('../../workloads/index.ts')).BUILTIN_WORKLOADS),
    nemeses: new Registry<NemesisDefinition>('nemesis', async () => (await import('../../nemeses/definitions.ts')).BUILTIN_NEMESES),
    checkers: new Registry<CheckerDefinition>('checker', async () => (await import('../../checkers/definitions.ts')).BUILTIN_CHECKERS),
    providers: new Registry<ProviderDefinition>('provider', async () => (await import('../providers/index.ts')).BUILTIN_PROVIDERS),
  };
}

export const CONFIG_NAMES = ['faultline.config.ts', 'faultline.config.mts', 'faultline.config.js', 'faultline.config.mjs'];

/** The config file in `dir`, if there is one. */
export function findConfig(dir: string): string | undefined {
  return CONFIG_NAMES.map((n) => resolve(dir, n)).find((p) => existsSync(p));
}

/** Registers the parts of a config file (its default export, see `defineConfig`). */
export async function addConfig(parts: Parts, path: string): Promise<void> {
  const mod = await importModule(path, 'config');
  const config = mod['default'] as FaultlineConfig | undefined;
  if (config === null || typeof config !== 'object') throw new UsageError(`config ${path}: the default export must be defineConfig({ dbs: [...], workloads: [...], ... })`);
  const source = `config ${resolve(path)}`;
  for (const d of config.dbs ?? []) parts.dbs.add(d, source);
  for (const d of config.workloads ?? []) parts.workloads.add(d, source);
  for (const d of config.nemeses ?? []) parts.nemeses.add(d, source);
  for (const d of config.checkers ?? []) parts.checkers.add(d, source);
  for (const d of config.providers ?? []) parts.providers.add(d, source);
}

/**
 * Faultline's parts plus those of the given config files, and of `faultline.config.*` in `cwd`
 * when no config is given. Returns the parts and the configs used (absolute paths).
 */
export async function loadParts(configs: readonly string[] = [], cwd = process.cwd()): Promise<{ parts: Parts; configs: string[] }> {
  const parts = builtinParts();
  const used = configs.length ? configs.map((c) => resolve(cwd, c)) : [findConfig(cwd)].filter((c): c is string => c !== undefined);
  for (const c of used) await addConfig(parts, c);
  return { parts, configs: used };
}

/** The prefix of a part's option keys: its own, else its name after any "family:". */
export function optionPrefix(d: PartDefinition): string {
  return d.optionPrefix ?? d.name.slice(d.name.indexOf(':') + 1);
}
