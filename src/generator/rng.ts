/**
 * Seeded pseudo-random numbers for generators: sfc32 (small, fast, 128-bit state), seeded
 * through splitmix32 so nearby seeds give unrelated streams. Not for cryptography.
 */
import type { Rng } from '../core/generator.ts';

const TWO_POW_32 = 4294967296;

/** One splitmix32 step: a well-mixed 32-bit value derived from `x`. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A deterministic Rng for `seed` (any finite number; integers up to 2^53 use all their bits).
 * The same seed always yields the same sequence.
 */
export function makeRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const whole = Math.trunc(seed);
  const lo = whole >>> 0;
  const hi = Math.floor(whole / TWO_POW_32) >>> 0;
  let a = splitmix32(lo);
  let b = splitmix32(a ^ hi);
  let c = splitmix32(b + 1);
  let d = splitmix32(c ^ 0x5bd1e995);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    int(n: number): number {
      return Math.floor(next() * n);
    },
  };
}
