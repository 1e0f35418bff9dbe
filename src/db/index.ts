/**
 * Faultline's own DB definitions, for the registry behind `--db`: the bundled reference stores,
 * etcd, Consul, any node program (`process`), and the in-process stores. Each is built only on the
 * public API (src/core, the `faultline/db` helpers); a user's DB is a module of the same shape.
 */
import type { DbDefinition } from '../core/parts.ts';
import { REFERENCE_DBS } from './reference/entries.ts';
import { IN_PROCESS_DBS } from './inprocess.ts';
import { etcdDb } from './etcd/index.ts';
import { consulDb } from './consul/index.ts';
import { processDb } from './process/index.ts';

export const BUILTIN_DBS: readonly DbDefinition[] = [...REFERENCE_DBS, etcdDb, consulDb, processDb, ...IN_PROCESS_DBS];
