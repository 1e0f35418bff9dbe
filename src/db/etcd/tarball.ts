/**
 * etcd from a release tarball (`--opt etcd.tarball=<url|path>`): the controller fetches or reads
 * the archive and checks that it is an etcd release (a gzip tar holding
 * etcd-vX.Y.Z-linux-<arch>/etcd) of a usable version before any node is touched; each node then
 * gets the archive through its Remote and unpacks etcd (and etcdctl) into a per-version
 * directory, <install-dir>/etcd-vX.Y.Z-<sha256 prefix>, reused by later runs.
 */
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { Remote } from '../../core/remote.ts';
import { run } from '../../control/run.ts';
import { installOnce, stageFile, unstage, type StagedFile } from '../fetch-release.ts';
import { atLeast, versionMatches } from './install.ts';

export const TARBALL_OPTION = 'etcd.tarball';
export const DEFAULT_INSTALL_DIR = '/var/tmp/faultline/etcd';

/** What a release tarball holds: its top directory, the etcd version it names, its binaries. */
export interface ReleaseLayout {
  top: string;
  version: string;
  /** Archive members to unpack: the etcd binary, and etcdctl when present. */
  members: string[];
  /** Leading path components to strip when unpacking (1, or 2 for "./etcd-v.../etcd"). */
  strip: number;
}

export interface EtcdRelease extends ReleaseLayout {
  file: StagedFile;
  /** The directory on each node the release unpacks into. */
  dir: string;
}

/** Finds the release layout in a `tar -t` listing, or undefined when it is not an etcd release. */
export function releaseLayout(listing: string): ReleaseLayout | undefined {
  const names = listing.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const name of names) {
    const m = /^(?:\.\/)?(etcd-v(\d+\.\d+\.\d+[\w.+-]*)-linux-[a-z0-9]+)\/etcd$/.exec(name);
    if (!m) continue;
    const top = m[1] as string;
    const ctl = names.find((n) => n.replace(/^\.\//, '') === `${top}/etcdctl`);
    return { top, version: m[2] as string, members: ctl ? [name, ctl] : [name], strip: name.split('/').length - 1 };
  }
  return undefined;
}

/**
 * Fetches (or reads) the tarball and checks it on the controller. Throws a UsageError for a URL
 * that does not answer or does not exist, a file that is not a gzip tar or not an etcd release,
 * an etcd older than 3.4, or a version other than `wanted`.
 */
export async function stageEtcdRelease(source: string, opts: { wanted?: string; installDir: string; idleMs: number }): Promise<EtcdRelease> {
  const file = await stageFile(source, TARBALL_OPTION, opts.idleMs);
  try {
    const listed = await run(['tar', '-tzf', file.path], { check: false, timeoutMs: 60_000 });
    if (listed.exitCode !== 0) throw new UsageError(`--opt ${TARBALL_OPTION}: ${source} is not a gzip tar archive (${listed.stderr.trim().split('\n')[0] ?? ''})`);
    const layout = releaseLayout(listed.stdout);
    if (!layout) throw new UsageError(`--opt ${TARBALL_OPTION}: ${source} is not an etcd release: it holds no etcd-vX.Y.Z-linux-<arch>/etcd`);
    if (!atLeast(layout.version, 3, 4)) throw new UsageError(`--opt ${TARBALL_OPTION}: ${source} is etcd ${layout.version}; Faultline needs etcd 3.4 or later`);
    if (opts.wanted !== undefined && !versionMatches(layout.version, opts.wanted)) {
      throw new UsageError(`--opt ${TARBALL_OPTION}: ${source} is etcd ${layout.version}, not the requested ${opts.wanted}; give a tarball of etcd ${opts.wanted} or drop --opt etcd.version`);
    }
    return { ...layout, file, dir: path.posix.join(opts.installDir, `etcd-v${layout.version}-${file.sha256.slice(0, 12)}`) };
  } catch (e) {
    await unstage(file);
    throw e;
  }
}

/** Uploads the tarball to the node and unpacks its binaries into the release's directory. */
export async function installEtcdRelease(remote: Remote, release: EtcdRelease): Promise<string> {
  await installOnce(remote, release.dir, release.file.sha256, async (tmp) => {
    const archive = path.posix.join(tmp, 'release.tar.gz');
    await remote.upload(release.file.path, archive);
    await remote.exec(['tar', '-xzf', archive, '-C', tmp, `--strip-components=${release.strip}`, ...release.members], { timeoutMs: 120_000 });
    await remote.exec(['rm', '-f', archive]);
  });
  return path.posix.join(release.dir, 'etcd');
}
