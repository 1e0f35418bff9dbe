/** The root check of providers that build namespaces, cgroups and firewall rules on this machine. */
import { UsageError } from '../core/errors.ts';

/** Throws a one-line UsageError unless the controller runs as root on Linux. */
export function requireRoot(what: string): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new UsageError(`${what} needs root on Linux (network namespaces, cgroups, nft): run it as root, or use the ssh provider`);
  }
}
