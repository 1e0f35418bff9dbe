/**
 * The harness log: every line goes to harness.log in the run directory and, unless quiet, to
 * stderr (stdout is reserved for --json). When the file cannot be written (a full disk), the log
 * goes on on stderr.
 */
import { appendFileSync } from 'node:fs';
import type { Logger } from '../core/context.ts';

export type { Logger };

export function createLogger(opts: { file?: string; stderr: boolean; clock?: () => number }): Logger & { setFile(path: string): void } {
  let file = opts.file;
  const started = Date.now();
  const write = (level: string, message: string): void => {
    const elapsed = ((Date.now() - started) / 1000).toFixed(3).padStart(8);
    const line = `${new Date().toISOString()} ${elapsed}s ${level} ${message}\n`;
    if (file) {
      try {
        appendFileSync(file, line);
      } catch (e) {
        // A full disk must not take the run down: say it once and go on on stderr alone.
        process.stderr.write(`faultline: cannot write ${file} (${(e as Error).message}); the log goes on on stderr only\n`);
        file = undefined;
      }
    }
    if (opts.stderr) process.stderr.write(level === 'INFO' ? `${message}\n` : `${level.toLowerCase()}: ${message}\n`);
  };
  return {
    info: (m) => write('INFO', m),
    warn: (m) => write('WARN', m),
    error: (m) => write('ERROR', m),
    setFile(path: string) {
      file = path;
    },
  };
}
