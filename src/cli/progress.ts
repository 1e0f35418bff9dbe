/**
 * The progress bar on stderr: ops done, ok / fail / info counts, elapsed and remaining time, and
 * with --check-online the running verdict. Shown only on a terminal and never with --json.
 */
import cliProgress from 'cli-progress';
import type { OnlineStatus } from '../runner/online-check.ts';
import type { RunProgress } from '../runner/run-test.ts';

export interface Progress {
  update(p: RunProgress): void;
  stop(): void;
}

/** The running verdict of an online check, as the progress line shows it. */
export function onlineText(online: OnlineStatus | undefined): string {
  if (!online) return '';
  if (online.violations.length > 0) return ` | online: INVALID (${online.violations.join(', ')})`;
  if (online.checkers === 0) return ' | online: no checker checks op by op';
  return ` | online: no violation yet (${online.checkers} checker${online.checkers === 1 ? '' : 's'})`;
}

export function createProgress(opts: { enabled: boolean; timeLimitS: number }): Progress {
  if (!opts.enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {elapsed}s/{total}s | {ops} ops | ok {ok} fail {fail} info {info}{online}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = Math.max(1, Math.round(opts.timeLimitS));
  bar.start(total, 0, { ops: 0, ok: 0, fail: 0, info: 0, elapsed: 0, online: '' });
  let stopped = false;
  return {
    update(p) {
      if (stopped) return;
      const elapsed = Math.round(p.elapsedNs / 1e9);
      bar.update(Math.min(total, elapsed), { ops: p.completed, ok: p.ok, fail: p.fail, info: p.info, elapsed, online: onlineText(p.online) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
