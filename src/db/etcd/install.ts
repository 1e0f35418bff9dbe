/**
 * Makes sure a node can run etcd, as Jepsen installs a DB on its nodes: when the default binary
 * is missing, installs Debian's etcd packages (the etcd capability of src/setup/capabilities.ts,
 * which also stops and disables the `etcd` service Debian enables on install). Then checks the version: at least 3.4 (the /v3 JSON gateway), and the requested version
 * when one is given. Every failure is one line naming the node and what to do. (An etcd from a
 * release tarball is unpacked by tarball.ts and then checked here like any other binary.)
 */
import { UsageError } from '../../core/errors.ts';
import type { Remote } from '../../core/remote.ts';
import { LocalRemote } from '../../control/local.ts';
import { CAPABILITIES } from '../../setup/capabilities.ts';
import { CONTROLLER, ensurePackages, type PackageHost } from '../../setup/install.ts';

export const DEFAULT_ETCD_BINARY = '/usr/bin/etcd';

/** "3.4.23" from `etcd --version` output, or undefined. */
export function parseEtcdVersion(output: string): string | undefined {
  return /etcd Version:\s*(\d+\.\d+\.\d+\S*)/.exec(output)?.[1];
}

/** Whether `version` is at least major.minor. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map((x) => parseInt(x, 10));
  return a !== undefined && b !== undefined && (a > major || (a === major && b >= minor));
}

/** Whether `version` matches the requested one: equal, or a dotted prefix ("3.4" matches "3.4.23"). */
export function versionMatches(version: string, wanted: string): boolean {
  return version === wanted || version.startsWith(`${wanted}.`);
}

async function exists(remote: Remote, path: string): Promise<boolean> {
  return (await remote.exec(['test', '-x', path], { check: false })).exitCode === 0;
}

/** Where packages for the node get installed: the controller for local namespaces (they share its file system), else the node. */
function packageHost(remote: Remote): PackageHost {
  return remote instanceof LocalRemote ? CONTROLLER : remote;
}

/**
 * Installs etcd if needed (only for the default binary; `exclusive` keeps concurrent installs
 * apart) and returns its version. Throws a UsageError for a missing custom binary, an old etcd,
 * or a version other than `wanted`.
 */
export async function ensureEtcd(
  remote: Remote,
  binary: string,
  wanted: string | undefined,
  say: (line: string) => void,
  exclusive: <T>(f: () => Promise<T>) => Promise<T> = (f) => f(),
): Promise<string> {
  if (!(await exists(remote, binary))) {
    if (binary !== DEFAULT_ETCD_BINARY) throw new UsageError(`${remote.node}: etcd binary ${binary} does not exist or is not executable; fix --opt etcd.binary`);
    // Another node sharing this host may have installed it meanwhile.
    await exclusive(async () => {
      if (!(await exists(remote, binary))) await ensurePackages(packageHost(remote), CAPABILITIES.etcd.packages, { why: `--db etcd on ${remote.node}`, say });
    });
    if (!(await exists(remote, binary))) throw new UsageError(`${remote.node}: ${CAPABILITIES.etcd.packages.join(' ')} installed, but ${binary} is still missing`);
  }
  const r = await remote.exec([binary, '--version'], { check: false, timeoutMs: 10_000 });
  const version = parseEtcdVersion(r.stdout + r.stderr);
  if (!version) throw new UsageError(`${remote.node}: \`${binary} --version\` did not print an etcd version (exit ${r.exitCode}); is it etcd?`);
  if (!atLeast(version, 3, 4)) throw new UsageError(`${remote.node}: ${binary} is etcd ${version}; Faultline needs etcd 3.4 or later (the /v3 JSON gateway)`);
  if (wanted !== undefined && !versionMatches(version, wanted)) {
    throw new UsageError(`${remote.node}: ${binary} is etcd ${version}, not the requested ${wanted}; install etcd ${wanted} or drop --opt etcd.version`);
  }
  return version;
}
