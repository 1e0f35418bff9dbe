/** Binary search over ascending number arrays, shared by the workload checkers. */

/**
 * How many entries of the ascending `a`, from position `from` on, are below `x` (or at most `x`
 * with `inclusive`), plus `from`: the first position at or after `from` whose entry is >= x
 * (or > x).
 */
export function countBelow(a: ArrayLike<number>, x: number, inclusive = false, from = 0): number {
  let lo = from;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v < x || (inclusive && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
