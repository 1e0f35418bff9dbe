/**
 * Release files named by the user (an etcd release tarball, a Consul binary or release zip): read
 * from a path on the controller or fetched over http(s) into a staging directory, identified by
 * their sha256, and installed once per distinct file into a directory on each node. Every bad
 * input is one UsageError line naming the option and what is wrong with it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UsageError } from '../core/errors.ts';
import type { Remote } from '../core/remote.ts';

export interface StagedFile {
  /** Where the file is on the controller. */
  path: string;
  sha256: string;
  /** The staging directory holding a downloaded file (removed by `unstage`); none for a local path. */
  stagingDir?: string;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** The last name of a URL's path, for a downloaded file ("release" when it has none). */
function fileName(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  return /^[\w.+-]+$/.test(last) ? last : 'release';
}

/**
 * Downloads `url` into a fresh staging directory. Gives up when no byte arrives for `idleMs`
 * (connecting, waiting for the answer, or mid-body).
 */
async function download(url: string, option: string, idleMs: number): Promise<StagedFile> {
  const stagingDir = await mkdtemp(path.join(tmpdir(), 'faultline-release-'));
  const file = path.join(stagingDir, fileName(url));
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(), idleMs);
  const progress = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(), idleMs);
  };
  try {
    const res = await fetch(url, { signal: abort.signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new UsageError(`--opt ${option}: ${url} answered HTTP ${res.status} ${res.statusText}`.trimEnd());
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', progress);
    await pipeline(body, createWriteStream(file));
    return { path: file, sha256: await sha256Of(file), stagingDir };
  } catch (e) {
    await rm(stagingDir, { recursive: true, force: true });
    if (e instanceof UsageError) throw e;
    if (abort.signal.aborted) throw new UsageError(`--opt ${option}: ${url} sent nothing for ${idleMs / 1000} s; check the URL, or raise --opt ready-timeout`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UsageError(`--opt ${option}: cannot fetch ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The file a source names: a path on the controller as it is, a URL downloaded. */
export async function stageFile(source: string, option: string, idleMs: number): Promise<StagedFile> {
  if (isUrl(source)) return download(source, option, idleMs);
  const s = await stat(source).catch(() => undefined);
  if (!s?.isFile()) throw new UsageError(`--opt ${option}: ${source} is not a file on this machine`);
  return { path: path.resolve(source), sha256: await sha256Of(source) };
}

export async function unstage(file: StagedFile): Promise<void> {
  if (file.stagingDir) await rm(file.stagingDir, { recursive: true, force: true });
}

/**
 * Makes `dir` on the node hold a complete install of the file with this sha256: a marker file
 * inside says which, so a present install is reused. `build` fills a fresh sibling directory,
 * which is then renamed into place, so an interrupted install never looks complete.
 */
export async function installOnce(remote: Remote, dir: string, sha256: string, build: (tmp: string) => Promise<void>): Promise<void> {
  const marker = (d: string): string => path.posix.join(d, '.sha256');
  const installed = async (): Promise<boolean> => (await remote.exec(['cat', marker(dir)], { check: false })).stdout.trim() === sha256;
  if (await installed()) return;
  const tmp = `${dir}.partial-${randomBytes(4).toString('hex')}`;
  await remote.exec(['mkdir', '-p', tmp]);
  try {
    await build(tmp);
    await remote.exec(['sh', '-c', 'cat > "$0"', marker(tmp)], { input: sha256 });
    // A directory without the right marker is a broken earlier install: replace it.
    await remote.exec(['rm', '-rf', dir]);
    const moved = await remote.exec(['mv', '-T', tmp, dir], { check: false });
    if (moved.exitCode !== 0 && !(await installed())) throw new Error(`${remote.node}: cannot move ${tmp} to ${dir}: ${moved.stderr.trim()}`);
  } finally {
    await remote.exec(['rm', '-rf', tmp], { check: false });
  }
}
