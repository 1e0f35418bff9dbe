/**
 * Whether the fault filesystem works on a host, for `faultline doctor`: /dev/fuse is there, the
 * helper builds, and a real mount loses an unsynced write on power-loss and unmounts cleanly.
 */
import { HostBuildFailed, helperOnHost } from '../control/host-build.ts';
import { FAULTFS_APT, FAULTFS_SPEC, mountFaultFs, type FaultFs, type FaultFsHost } from './faultfs.ts';

export interface FaultFsProbe {
  ok: boolean;
  detail: string;
  /** What fixes a failed probe. */
  fix?: string;
}

/** Runs the probe on `host` (as root there); never throws. */
export async function probeFaultFs(host: FaultFsHost): Promise<FaultFsProbe> {
  if ((await host.exec(['test', '-c', '/dev/fuse'], { check: false })).exitCode !== 0) {
    return { ok: false, detail: `${host.node}: no /dev/fuse`, fix: 'modprobe fuse (docker: --device /dev/fuse --cap-add SYS_ADMIN)' };
  }
  try {
    await helperOnHost(host, FAULTFS_SPEC);
  } catch (e) {
    return { ok: false, detail: e instanceof HostBuildFailed ? e.message : String(e), fix: FAULTFS_APT };
  }
  const base = (await host.exec(['mktemp', '-d', '/tmp/faultline-probe-XXXXXX'])).stdout.trim();
  let ffs: FaultFs | undefined;
  let result: FaultFsProbe;
  try {
    ffs = await mountFaultFs(host, { dir: `${base}/data`, tag: `probe-${process.pid}` });
    await host.exec(['sh', '-c', `echo unsynced > ${base}/data/f`]);
    await ffs.apply({ kind: 'power-loss' });
    const left = (await host.exec(['ls', '-A', `${base}/data`])).stdout.trim();
    result = left === ''
      ? { ok: true, detail: `${host.node}: mounts, loses an unsynced write on power-loss, unmounts` }
      : { ok: false, detail: `${host.node}: an unsynced file survived a power loss (${left})` };
  } catch (e) {
    result = { ok: false, detail: e instanceof Error ? e.message : String(e), fix: `${FAULTFS_APT}; run as root` };
  }
  try {
    if (ffs) await ffs.unmount();
    await host.exec(['rm', '-rf', base], { check: false });
  } catch (e) {
    return { ok: false, detail: `${e instanceof Error ? e.message : String(e)} (left mounted: faultline cleanup removes it)` };
  }
  return result;
}
