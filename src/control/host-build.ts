/**
 * Builds one of the project's small C helpers (the NFQUEUE delayer, the host clock setter) on a
 * node, as Jepsen compiles its helpers on the DB nodes: the source is uploaded and compiled with
 * the node's own `cc`, so the binary matches the node's architecture and libraries. The
 * controller machine is such a host too (CONTROLLER_HOST: the local provider runs there). Binaries are
 * kept under HOST_TOOLS_DIR keyed by a hash of the source and built to a temporary name, then
 * renamed, so concurrent runs never see a half-written binary and later runs reuse it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Remote } from '../core/remote.ts';
import { shellQuote } from './quote.ts';
import { run } from './run.ts';

export const HOST_TOOLS_DIR = '/var/tmp/faultline-tools';

/** Why a helper cannot be built on a node, with the fix. */
export class HostBuildFailed extends Error {}

export interface HelperSpec {
  /** The C source on the controller. */
  source: string;
  /** Extra arguments after the source, e.g. libraries. */
  libs: readonly string[];
  /** Debian packages that provide the compiler and headers, for the error message. */
  apt: string;
}

/** What building needs of a host: run a command, put a file there. */
export type HelperHost = Pick<Remote, 'node' | 'exec' | 'upload'>;

/** The machine the controller runs on, outside any namespace. */
export const CONTROLLER_HOST: HelperHost = {
  node: 'controller',
  exec: (argv, opts) => run(argv, opts),
  upload: (from, to) => copyFile(from, to),
};

const built = new WeakMap<HelperHost, Map<string, Promise<string>>>();

/** The path of the helper on the host, compiling it there first when missing. */
export function helperOnHost(remote: HelperHost, spec: HelperSpec): Promise<string> {
  let perRemote = built.get(remote);
  if (!perRemote) built.set(remote, (perRemote = new Map()));
  let p = perRemote.get(spec.source);
  if (!p) {
    p = build(remote, spec).catch((e: unknown) => {
      perRemote.delete(spec.source);
      throw e;
    });
    perRemote.set(spec.source, p);
  }
  return p;
}

async function build(remote: HelperHost, spec: HelperSpec): Promise<string> {
  const src = readFileSync(spec.source);
  const name = basename(spec.source, '.c');
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const bin = `${HOST_TOOLS_DIR}/${name}-${hash}`;
  if ((await remote.exec(['test', '-x', bin], { check: false })).exitCode === 0) return bin;
  const tmp = `${bin}.${process.pid}.${Date.now()}`;
  await remote.exec(['mkdir', '-p', HOST_TOOLS_DIR]);
  await remote.upload(spec.source, `${tmp}.c`);
  const cc = ['cc', '-O2', '-o', tmp, `${tmp}.c`, ...spec.libs].map(shellQuote).join(' ');
  const r = await remote.exec(['sh', '-c', `${cc} && mv -f ${shellQuote(tmp)} ${shellQuote(bin)}; s=$?; rm -f ${shellQuote(`${tmp}.c`)} ${shellQuote(tmp)}; exit $s`], { check: false, timeoutMs: 120_000 });
  if (r.exitCode !== 0) {
    const lines = r.stderr.trim().split('\n');
    const why = lines.find((l) => /error|not found|No such/i.test(l)) ?? lines[0] ?? `exit ${r.exitCode}`;
    throw new HostBuildFailed(`${remote.node}: cannot build ${name} (apt-get install ${spec.apt} on the node): ${why}`);
  }
  return bin;
}
