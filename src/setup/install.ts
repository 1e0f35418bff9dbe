/**
 * Installs Debian packages on a machine Faultline controls (the controller, an ssh host), as
 * Jepsen's OS layer installs packages on its nodes: finds which of the wanted packages are
 * missing (dpkg-query), installs them with apt-get, says aloud what it installs, and runs the
 * steps some packages need afterwards. Without permission to install (not root, or the user said
 * --no-install) it refuses before anything changes, printing the exact apt-get line.
 */
import type { ExecOptions, ExecResult } from '../core/remote.ts';
import { UsageError } from '../core/errors.ts';
import { run } from '../control/run.ts';
import { aptLine } from './capabilities.ts';

/** A machine to install on: runs a command there. */
export interface PackageHost {
  readonly node: string;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The controller machine itself. */
export const CONTROLLER: PackageHost = {
  node: 'this machine',
  exec: (argv, opts) => run(argv, opts),
};

const INSTALL_TIMEOUT_MS = 20 * 60_000;

/** Steps after installing a package: Debian starts an etcd service that the tests' members would race. */
const AFTER_INSTALL: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'etcd-server': [['sh', '-c', 'command -v systemctl >/dev/null && systemctl disable --now etcd; true']],
};

/** The wanted packages that are not installed on the host, in the order given. */
export async function missingPackages(host: PackageHost, packages: readonly string[]): Promise<string[]> {
  if (packages.length === 0) return [];
  const r = await host.exec(['dpkg-query', '-W', '-f=${Package} ${Status}\\n', ...packages], { check: false, timeoutMs: 30_000 }).catch(() => null);
  if (r === null || (r.exitCode !== 0 && r.stdout === '' && /not found|No such file/.test(r.stderr))) {
    throw new UsageError(`${host.node}: cannot tell which packages are installed (no dpkg-query: not a Debian system?); install by hand: ${packages.join(' ')}`);
  }
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

async function isRoot(host: PackageHost): Promise<boolean> {
  if (host === CONTROLLER) return process.getuid?.() === 0;
  const r = await host.exec(['id', '-u'], { check: false, timeoutMs: 10_000 });
  return r.stdout.trim() === '0';
}

export interface EnsureOptions {
  /** May install (default true); false refuses with the apt-get line when anything is missing. */
  install?: boolean;
  /** What needs the packages, for messages: "the local provider", "faultline test". */
  why: string;
  /** Where progress lines go (stderr in the CLI). */
  say: (line: string) => void;
}

/** One install at a time per host: nodes of a local cluster share the controller's package database. */
const installing = new WeakMap<PackageHost, Promise<unknown>>();

/**
 * Makes sure the packages are installed on the host; returns those it installed. Throws a
 * UsageError naming the exact apt-get line when it may not install or the install fails.
 */
export async function ensurePackages(host: PackageHost, packages: readonly string[], o: EnsureOptions): Promise<string[]> {
  const before = installing.get(host) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => ensureNow(host, packages, o));
  installing.set(host, mine);
  return mine;
}

async function ensureNow(host: PackageHost, packages: readonly string[], o: EnsureOptions): Promise<string[]> {
  const missing = await missingPackages(host, packages);
  if (missing.length === 0) return [];
  const line = aptLine(missing);
  if (o.install === false) {
    throw new UsageError(`${o.why} needs Debian packages missing on ${host.node}: ${missing.join(' ')}; install them with \`${line}\` (or run without --no-install)`);
  }
  if (!(await isRoot(host))) {
    throw new UsageError(`${o.why} needs Debian packages missing on ${host.node}: ${missing.join(' ')}; install them as root with \`sudo ${line}\``);
  }
  o.say(`installing Debian packages on ${host.node} for ${o.why}: ${missing.join(' ')}`);
  const started = Date.now();
  const env = { DEBIAN_FRONTEND: 'noninteractive', PATH };
  const install = (): Promise<ExecResult> => host.exec(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing], { env, check: false, timeoutMs: INSTALL_TIMEOUT_MS });
  let r = await install();
  if (r.exitCode !== 0) {
    // Usually stale or empty package lists (a fresh system): refresh them once and try again.
    o.say(`apt-get install failed (${lastLine(r)}); refreshing the package lists with apt-get update`);
    const u = await host.exec(['apt-get', 'update', '-q'], { env, check: false, timeoutMs: INSTALL_TIMEOUT_MS });
    if (u.exitCode !== 0) throw new UsageError(`${host.node}: apt-get update failed (${lastLine(u)}); install by hand: \`${line}\``);
    r = await install();
  }
  if (r.exitCode !== 0) throw new UsageError(`${host.node}: \`${line}\` failed (exit ${r.exitCode}: ${lastLine(r)})`);
  for (const p of missing) for (const step of AFTER_INSTALL[p] ?? []) await host.exec(step, { env, check: false, timeoutMs: 60_000 });
  o.say(`installed ${missing.length} package${missing.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return missing;
}

function lastLine(r: ExecResult): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n').pop() ?? `exit ${r.exitCode}`;
}
