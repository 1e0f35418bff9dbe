/**
 * The NFQUEUE delay helper: its C source ships in this folder and is compiled on first use into
 * the project's `.cache/` (keyed by a hash of the source, built to a temp name and renamed, so
 * concurrent runs never see a half-written binary). Needs `cc` and libnetfilter-queue headers.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HelperSpec } from '../control/host-build.ts';
import { run } from '../control/run.ts';

export const DELAYER_SOURCE = fileURLToPath(new URL('./nfq-delay.c', import.meta.url));
export const PROJECT_ROOT = path.resolve(path.dirname(DELAYER_SOURCE), '../..');
export const DELAYER_APT = 'gcc libnetfilter-queue-dev';
const DELAYER_LIBS = ['-lnetfilter_queue', '-lnfnetlink'];

/** How to build the helper on a remote host (see control/host-build.ts). */
export const DELAYER_SPEC: HelperSpec = { source: DELAYER_SOURCE, libs: DELAYER_LIBS, apt: DELAYER_APT };

/** Why the delayer cannot be had, with the fix; thrown by delayerBinary. */
export class DelayerUnavailable extends Error {}

let cached: Promise<string> | undefined;

/** Path of the compiled helper, building it when missing. */
export function delayerBinary(cacheRoot = path.join(PROJECT_ROOT, '.cache')): Promise<string> {
  cached ??= build(cacheRoot).catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

async function build(cacheRoot: string): Promise<string> {
  const src = await readFile(DELAYER_SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot, 'nfq-delay', hash);
  const bin = path.join(dir, 'nfq-delay');
  if (await access(bin).then(() => true, () => false)) return bin;
  await mkdir(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = await run(['cc', '-O2', '-o', tmp, DELAYER_SOURCE, ...DELAYER_LIBS], { check: false }).catch(
    (e: Error) => ({ exitCode: -1, stdout: '', stderr: e.message }),
  );
  if (r.exitCode !== 0) {
    await rm(tmp, { force: true });
    const why = r.stderr.trim().split('\n').find((l) => /error|not found|No such/i.test(l)) ?? r.stderr.trim().split('\n')[0] ?? '';
    throw new DelayerUnavailable(`cannot build the NFQUEUE delay helper (apt-get install ${DELAYER_APT}): ${why}`);
  }
  await rename(tmp, bin);
  return bin;
}
