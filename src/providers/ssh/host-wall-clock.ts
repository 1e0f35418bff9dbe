/**
 * The clock nemesis on real hosts: moves each host's wall clock with the set-clock helper
 * (compiled on the host on first use), for DBs that ignore libfaketime. The controller keeps
 * the offset it applied per host and undoes it to reset, so a run ends with the clocks where
 * they were (less the helper's own microseconds).
 *
 * Stepping a clock is only safe on a machine of its own: a host sharing the controller's kernel
 * (a network namespace, a container, this very machine) would step the controller's clock too,
 * so such hosts are refused before anything is changed, by comparing kernel boot ids.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../../code-paths.ts';
import { UsageError } from '../../core/errors.ts';
import type { ClockControl } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { helperOnHost, type HelperSpec } from '../../control/host-build.ts';

export const SET_CLOCK_SPEC: HelperSpec = { source: packageFile('src/providers/ssh/set-clock.c'), libs: [], apt: 'gcc libc6-dev' };

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

export class HostWallClock implements ClockControl {
  readonly #remote: (node: string) => Remote;
  readonly #nodes: readonly string[];
  readonly #offsets = new Map<string, number>();

  constructor(nodes: readonly string[], remote: (node: string) => Remote) {
    this.#nodes = nodes;
    this.#remote = remote;
  }

  /** Refuses hosts that share this machine's kernel, then builds the helper on every host. */
  async prepare(): Promise<void> {
    const own = readFileSync(BOOT_ID, 'utf8').trim();
    await Promise.all(
      this.#nodes.map(async (node) => {
        const r = this.#remote(node);
        const theirs = (await r.exec(['cat', BOOT_ID])).stdout.trim();
        if (theirs === own) {
          throw new UsageError(
            `${node} runs on the controller's own kernel (same boot id), so stepping its clock would step this machine's; use --opt ssh.clock=faketime (libfaketime) for such hosts`,
          );
        }
        await helperOnHost(r, SET_CLOCK_SPEC);
      }),
    );
  }

  async setOffset(node: string, offsetMs: number): Promise<void> {
    if (!this.#nodes.includes(node)) throw new UsageError(`clock: unknown node ${JSON.stringify(node)}`);
    const delta = Math.round(offsetMs) - this.offset(node);
    if (delta === 0) return;
    const r = this.#remote(node);
    await r.exec([await helperOnHost(r, SET_CLOCK_SPEC), 'bump', String(delta)]);
    this.#offsets.set(node, this.offset(node) + delta);
  }

  offset(node: string): number {
    return this.#offsets.get(node) ?? 0;
  }
}
