/**
 * The registry of built-in models (name → factory taking the initial value) and parsing of
 * `--init` values, which may be JSON (`0`, `{"x":0}`) or EDN (`nil`, `{:x 0 :y 0}`).
 */
import { UsageError } from '../../../src/core/errors.ts';
import { parseEdn } from '../../../src/history/importers/edn.ts';
import type { Model } from '../model.ts';
import { kv, kvUnpartitioned } from './kv.ts';
import { multiRegister } from './multi-register.ts';
import { mutex } from './mutex.ts';
import { fifoQueue, unorderedQueue } from './queue.ts';
import { absentCasRegister, casRegister, etcdRegister, register } from './register.ts';
import { setModel } from './set.ts';
import type { ModelName } from './names.ts';

export interface ModelEntry {
  /** Builds the model; `init` undefined means the model's default initial state. */
  create(init?: unknown): Model<any>;
  description: string;
}

export const MODELS: Readonly<Record<string, ModelEntry>> = {
  register: { create: (i) => register(i), description: 'read/write register (default init null; nil reads are unknown)' },
  'cas-register': { create: (i) => casRegister(i), description: 'read/write/cas [old new] register (default init null; nil reads are unknown)' },
  'absent-cas-register': { create: (i) => absentCasRegister(i), description: 'cas-register where a nil read means empty and must match (Faultline\'s register workload)' },
  'etcd-register': { create: (i) => etcdRegister(i), description: 'cas-register as in Jepsen etcd logs: init absent, nil read = absent, failed cas = failed compare' },
  'multi-register': { create: (i) => multiRegister(i), description: 'txn of [read|write key value] micro-ops over a map (default init {})' },
  kv: { create: (i) => kv(i), description: 'get/put/append on [key value] strings, partitioned by key (default init "")' },
  'kv-unpartitioned': { create: (i) => kvUnpartitioned(i), description: 'kv checked as one map, without partitioning' },
  set: { create: (i) => setModel(i), description: 'add x / read [elements] (default init [])' },
  mutex: { create: (i) => mutex(i), description: 'acquire/release (default init unlocked)' },
  'fifo-queue': { create: (i) => fifoQueue(i), description: 'enqueue v / dequeue → v or null when empty, in order' },
  'unordered-queue': { create: (i) => unorderedQueue(i), description: 'enqueue v / dequeue → any element present, or null when empty' },
} satisfies Record<ModelName, ModelEntry>;

/** The model registered under `name`; a UsageError listing the known names otherwise. */
export function createModel(name: string, init?: unknown): Model<any> {
  const entry = MODELS[name];
  if (!entry) throw new UsageError(`unknown model ${JSON.stringify(name)}; known models: ${Object.keys(MODELS).join(', ')}`);
  return entry.create(init);
}

/** Parses an `--init` value for a model: JSON first, then EDN; `unlocked`/`locked` for mutex. */
export function parseModelInit(model: string, text: string): unknown {
  if (!MODELS[model]) createModel(model);
  const t = text.trim();
  if (model === 'mutex' && (t === 'unlocked' || t === 'locked')) return t === 'locked';
  try {
    return JSON.parse(t) as unknown;
  } catch {
    try {
      return parseEdn(t);
    } catch (e) {
      throw new UsageError(`--init for ${model}: ${JSON.stringify(text)} is neither JSON nor EDN (${(e as Error).message})`);
    }
  }
}
