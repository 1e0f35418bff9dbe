/**
 * Where the Consul binary comes from, and how each node gets it. Consul is not in Debian's
 * archive, so the user names it: `--opt consul.binary=<path|url>`, else the FAULTLINE_CONSUL
 * environment variable, else `consul` on the controller's PATH. A path or URL may name the binary
 * itself or an official release zip (which holds a single `consul`); the controller reads or
 * fetches it and unzips it before any node is touched. Local nodes share the controller's
 * filesystem and run a binary given by path in place; otherwise each node gets a copy through its
 * Remote in a per-binary directory, <install-dir>/consul-<sha256 prefix>, reused by later runs.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { UsageError } from '../../core/errors.ts';
import type { Remote } from '../../core/remote.ts';
import { LocalRemote } from '../../control/local.ts';
import { run } from '../../control/run.ts';
import { installOnce, isUrl, stageFile, unstage, type StagedFile } from '../fetch-release.ts';
import { isZip, zipEntry, zipNames } from './zip.ts';

export const BINARY_OPTION = 'consul.binary';
export const CONSUL_ENV = 'FAULTLINE_CONSUL';
export const DEFAULT_INSTALL_DIR = '/var/tmp/faultline/consul';
export const HOW_TO_GET_CONSUL = `put consul on PATH (https://releases.hashicorp.com/consul/), set ${CONSUL_ENV}=<path or URL of a binary or release zip>, or pass --opt ${BINARY_OPTION}=<path|url>`;

/** The first executable `name` on a PATH-style list, or undefined. */
export function onPath(name: string, pathList: string | undefined): string | undefined {
  for (const dir of (pathList ?? '').split(':').filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The Consul source to use: the option, else $FAULTLINE_CONSUL, else consul on PATH; undefined when none. */
export function consulSource(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return option ?? (env[CONSUL_ENV] || undefined) ?? onPath('consul', env['PATH']);
}

/** "1.16.2" from `consul version` output, or undefined. */
export function parseConsulVersion(output: string): string | undefined {
  return /^Consul v(\d+\.\d+\.\d+\S*)/m.exec(output)?.[1];
}

export interface ConsulBinary {
  /** The binary on the controller (possibly staged). */
  file: StagedFile;
  /** Where it goes on nodes that do not share the controller's filesystem. */
  dir: string;
}

/** Takes `consul` out of a release zip into a staging directory. */
async function unzipConsul(zip: StagedFile, source: string): Promise<StagedFile> {
  const archive = await readFile(zip.path);
  let binary: Buffer | undefined;
  try {
    binary = zipEntry(archive, 'consul');
    if (!binary) throw new UsageError(`--opt ${BINARY_OPTION}: ${source} is a zip without a consul binary (it holds ${zipNames(archive).slice(0, 5).join(', ') || 'nothing'})`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--opt ${BINARY_OPTION}: ${source} is not a readable zip: ${(e as Error).message}`);
  }
  const stagingDir = zip.stagingDir ?? (await mkdtemp(path.join(tmpdir(), 'faultline-release-')));
  const file = path.join(stagingDir, 'consul');
  await writeFile(file, binary, { mode: 0o755 });
  if (zip.stagingDir) await rm(zip.path);
  return { path: file, sha256: createHash('sha256').update(binary).digest('hex'), stagingDir };
}

async function head(file: string): Promise<Buffer> {
  const fd = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fd.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/**
 * Reads or fetches the Consul binary (unzipping a release zip) on the controller. Throws a
 * UsageError when there is none, or the source is neither a zip with `consul` nor an executable.
 */
export async function stageConsul(source: string | undefined, opts: { installDir: string; idleMs: number }): Promise<ConsulBinary> {
  if (source === undefined) throw new UsageError(`no consul binary found; ${HOW_TO_GET_CONSUL}`);
  const staged = await stageFile(source, BINARY_OPTION, opts.idleMs);
  try {
    const magic = await head(staged.path);
    let file = staged;
    if (isZip(magic)) file = await unzipConsul(staged, source);
    else if (magic.toString('latin1') !== '\x7fELF') throw new UsageError(`--opt ${BINARY_OPTION}: ${source} is neither a Consul binary (ELF) nor a Consul release zip`);
    return { file, dir: path.posix.join(opts.installDir, `consul-${file.sha256.slice(0, 12)}`) };
  } catch (e) {
    await unstage(staged);
    throw e;
  }
}

/**
 * The binary path on the node: the controller's own file for a local node when it was given by
 * path, otherwise a copy installed through the Remote.
 */
export async function installConsul(remote: Remote, binary: ConsulBinary): Promise<string> {
  if (remote instanceof LocalRemote && !binary.file.stagingDir) return binary.file.path;
  await installOnce(remote, binary.dir, binary.file.sha256, async (tmp) => {
    const target = path.posix.join(tmp, 'consul');
    await remote.upload(binary.file.path, target);
    await remote.exec(['chmod', '755', target]);
  });
  return path.posix.join(binary.dir, 'consul');
}

/** Runs `consul version` on the node; throws a UsageError when it is not Consul 1.x or later. */
export async function consulVersion(remote: Remote, binary: string): Promise<string> {
  const r = await remote.exec([binary, 'version'], { check: false, timeoutMs: 10_000 });
  const version = parseConsulVersion(r.stdout + r.stderr);
  if (!version) throw new UsageError(`${remote.node}: \`${binary} version\` did not print a Consul version (exit ${r.exitCode}); is it consul?`);
  if (parseInt(version, 10) < 1) throw new UsageError(`${remote.node}: ${binary} is Consul ${version}; Faultline needs Consul 1.0 or later`);
  return version;
}

/** Whether this machine has Consul for `--db consul`, and how to get it when not (for `faultline doctor`). */
export async function consulCheck(env: NodeJS.ProcessEnv = process.env): Promise<{ name: string; ok: boolean; detail: string; fix?: string }> {
  const source = consulSource(undefined, env);
  if (source === undefined) return { name: 'consul', ok: false, detail: "no consul binary (needed for --db consul; Consul is not in Debian's archive)", fix: HOW_TO_GET_CONSUL };
  if (isUrl(source) || source.endsWith('.zip')) return { name: 'consul', ok: true, detail: `${source} (fetched and unzipped when a test starts)` };
  const r = await run([source, 'version'], { check: false, timeoutMs: 10_000 }).catch((e: Error) => ({ exitCode: 127, stdout: '', stderr: e.message }));
  const version = parseConsulVersion(r.stdout);
  if (!version) return { name: 'consul', ok: false, detail: `${source} did not print a Consul version (exit ${r.exitCode})`, fix: HOW_TO_GET_CONSUL };
  return { name: 'consul', ok: true, detail: `Consul v${version} (${source})` };
}
