/**
 * Seeded draws for fault kinds: one element picked uniformly, and a stream of its own per
 * (seed, name, k), so what the k-th fault is depends on nothing but those three.
 */
import type { Rng } from '../src/core/generator.ts';
import { makeRng } from '../src/generator/rng.ts';

/** Picks one element uniformly. */
export function pick<T>(xs: readonly T[], rng: Rng): T {
  return xs[rng.int(xs.length)] as T;
}

/** A stream of its own for (seed, name, k): FNV-1a over the three, as the rng's seed. */
export function rngFor(seed: number, name: string, k = 0): Rng {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${name}/${k}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return makeRng(h);
}
