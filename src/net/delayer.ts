/**
 * The NFQUEUE delay helper: its C source ships in this folder and is compiled where it runs (the
 * controller machine for the local provider's switch, each node for ssh and docker; see
 * control/host-build.ts). One way to start it and wait until it holds its queue, one way to stop
 * it, for every provider.
 */
import { packageFile } from '../code-paths.ts';
import type { Remote } from '../core/remote.ts';
import { shellQuote } from '../control/quote.ts';
import type { HelperSpec } from '../control/host-build.ts';

export const DELAYER_SOURCE = packageFile('src/net/nfq-delay.c');
export const DELAYER_APT = 'gcc libnetfilter-queue-dev';

/** How to build the helper on a host (see control/host-build.ts). */
export const DELAYER_SPEC: HelperSpec = { source: DELAYER_SOURCE, libs: ['-lnetfilter_queue', '-lnfnetlink'], apt: DELAYER_APT };

export interface DelayerStart {
  /** The compiled helper on that host. */
  bin: string;
  queue: number;
  delayMs: number;
  jitterMs: number;
  /** The helper's log on that host; it says when it is bound to its queue. */
  logFile: string;
  env?: Readonly<Record<string, string>>;
}

/** Starts the helper and returns its pid once it holds its queue, or fails with its log's last line. */
export async function startDelayer(remote: Remote, s: DelayerStart): Promise<number> {
  const argv = [s.bin, String(s.queue), String(s.delayMs), String(s.jitterMs)];
  const pid = await remote.spawnDaemon({ argv, logFile: s.logFile, ...(s.env ? { env: s.env } : {}) });
  const log = shellQuote(s.logFile);
  const probe = `grep -q 'nfq-delay: queue' ${log} && echo bound || { kill -0 ${pid} 2>/dev/null && echo waiting || { echo exited; tail -n 1 ${log}; }; }`;
  for (let i = 0; i < 100; i++) {
    const out = (await remote.exec(['sh', '-c', probe], { check: false })).stdout;
    if (out.startsWith('bound')) return pid;
    if (out.startsWith('exited')) throw new Error(`${remote.node}: the delay helper exited: ${out.split('\n')[1] ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await stopDelayer(remote, pid);
  throw new Error(`${remote.node}: the delay helper did not bind its queue`);
}

/** SIGTERM (the helper releases its queue and lets held packets go), then SIGKILL after 2 s. */
export async function stopDelayer(remote: Remote, pid: number): Promise<void> {
  await remote.signal(pid, 'SIGTERM').catch(() => undefined);
  const gone = `for i in $(seq 1 100); do kill -0 ${pid} 2>/dev/null || exit 0; sleep 0.02; done; exit 1`;
  if ((await remote.exec(['sh', '-c', gone], { check: false })).exitCode !== 0) await remote.signal(pid, 'SIGKILL').catch(() => undefined);
}
