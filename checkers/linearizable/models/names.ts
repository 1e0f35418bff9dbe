/**
 * The names of the built-in linearizability models, without the models themselves: what the
 * checker's definition shows in `faultline list` and in its errors, without loading the checker.
 * models/index.ts holds one model per name (the compiler checks both lists agree).
 */
export const MODEL_NAMES = [
  'register', 'cas-register', 'absent-cas-register', 'etcd-register', 'multi-register', 'kv', 'kv-unpartitioned', 'set', 'mutex', 'fifo-queue', 'unordered-queue',
] as const;

export type ModelName = (typeof MODEL_NAMES)[number];
