/**
 * Which nodes a process fault hits: one, a minority, a majority, the current primaries, all of
 * them, or an explicit list. Specs are checked against the node names up front; random choices
 * come from the caller's seeded Rng.
 */
import type { Rng } from '../src/core/generator.ts';
import { UsageError } from '../src/core/errors.ts';
import { shuffle } from '../src/net/grudge.ts';

export const TARGET_KINDS = ['one', 'minority', 'majority', 'primaries', 'all'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
/** A target kind, or explicit node names. */
export type TargetSpec = TargetKind | readonly string[];

/** Parses "one" / "majority" / "n1,n3" as given on the command line. */
export function parseTargetSpec(text: string, nodes: readonly string[]): TargetSpec {
  if ((TARGET_KINDS as readonly string[]).includes(text)) return text as TargetKind;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  checkNodes(names, nodes, `target ${JSON.stringify(text)}`);
  return names;
}

export function checkNodes(names: readonly string[], nodes: readonly string[], what: string): void {
  if (names.length === 0) throw new UsageError(`${what}: names no node (use ${TARGET_KINDS.join(', ')} or node names)`);
  for (const n of names) {
    if (!nodes.includes(n)) throw new UsageError(`${what}: node ${JSON.stringify(n)} does not exist (nodes: ${nodes.join(', ')})`);
  }
}

/** Resolves a spec to node names; `primaries` gives the DB's current answer (maybe none). */
export function resolveTargets(spec: TargetSpec, nodes: readonly string[], rng: Rng, primaries?: readonly string[]): string[] {
  if (typeof spec !== 'string') return [...(spec as readonly string[])];
  const s = shuffle(nodes, rng);
  switch (spec) {
    case 'one':
      return s.slice(0, 1);
    case 'minority':
      return s.slice(0, Math.max(1, Math.floor((nodes.length - 1) / 2)));
    case 'majority':
      return s.slice(0, Math.floor(nodes.length / 2) + 1);
    case 'all':
      return [...nodes];
    case 'primaries':
      return [...(primaries ?? [])];
  }
  return [];
}
