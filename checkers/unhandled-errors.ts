/**
 * Groups the errors clients reported (on fail and info completions) so unexpected ones stand out.
 * Informational: always valid; the evidence is the list of error groups, most frequent first,
 * each with its count, the fs it hit, and the first and last op index.
 */
import type { SyncChecker } from '../src/core/checker.ts';
import type { History } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';

export interface ErrorGroup {
  error: string;
  count: number;
  fs: string[];
  types: string[];
  firstIndex: number;
  lastIndex: number;
}

function errorKey(error: unknown): string {
  if (typeof error === 'string') return error;
  const text = JSON.stringify(error);
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
}

export function unhandledErrors(): SyncChecker {
  return {
    name: 'unhandled-errors',
    check(history: History): CheckResult {
      const groups = new Map<string, ErrorGroup & { fSet: Set<string>; typeSet: Set<string> }>();
      for (const op of history) {
        if (op.type === 'invoke' || op.error === undefined || op.error === null) continue;
        const key = errorKey(op.error);
        let g = groups.get(key);
        if (!g) {
          g = { error: key, count: 0, fs: [], types: [], firstIndex: op.index, lastIndex: op.index, fSet: new Set(), typeSet: new Set() };
          groups.set(key, g);
        }
        g.count++;
        g.lastIndex = op.index;
        g.fSet.add(op.f);
        g.typeSet.add(op.type);
      }
      const errors: ErrorGroup[] = [...groups.values()]
        .map(({ fSet, typeSet, ...g }) => ({ ...g, fs: [...fSet].sort(), types: [...typeSet].sort() }))
        .sort((a, b) => b.count - a.count);
      const total = errors.reduce((n, g) => n + g.count, 0);
      const measurement = errors.length ? `${total} errors in ${errors.length} group${errors.length === 1 ? '' : 's'}; most: ${errors[0]!.error.slice(0, 80)} (${errors[0]!.count})` : 'no errors';
      return { valid: true, informational: true, measurement, errors };
    },
  };
}
