/**
 * `--topology <name | file>` to a placed Topology: a built-in profile by name, or a user's JSON
 * file (a path: it contains a `/` or ends in `.json`), checked and placed on the test's nodes.
 *
 * @example
 * const t = await loadTopology('three-regions', ['n1', 'n2', 'n3', 'n4', 'n5']);
 * // t.regions: us-east n1,n2 · us-central n3,n4 · eu-west n5
 */
import { readFile } from 'node:fs/promises';
import type { Topology } from '../core/topology.ts';
import { UsageError } from '../core/errors.ts';
import { parseProfile, placeProfile } from './profile.ts';
import { BUILTIN_TOPOLOGIES, builtinTopology } from './profiles.ts';

/** Whether a `--topology` value names a file rather than a built-in profile. */
export function isTopologyFile(ref: string): boolean {
  return ref.includes('/') || ref.endsWith('.json');
}

export async function loadTopology(ref: string, nodes: readonly string[]): Promise<Topology> {
  const builtin = builtinTopology(ref);
  if (builtin) return placeProfile(builtin, nodes);
  if (!isTopologyFile(ref)) {
    throw new UsageError(`unknown topology ${JSON.stringify(ref)} (built-in: ${BUILTIN_TOPOLOGIES.map((p) => p.name).join(', ')}; or a JSON file such as ./my-topology.json)`);
  }
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (e) {
    throw new UsageError(`topology ${ref}: cannot read it: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`topology ${ref}: not JSON: ${(e as Error).message}`);
  }
  return placeProfile(parseProfile(json, ref), nodes);
}
