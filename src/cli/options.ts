/** Parsing of repeatable `--opt key=value` flags, shared by the commands that take them. */
import { UsageError } from '../core/errors.ts';

export function parseOpts(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--opt expects key=value, got ${JSON.stringify(p)}`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}
