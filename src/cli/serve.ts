/**
 * `faultline serve [results-dir]`: browse the runs of a results directory in a web browser
 * (run list with verdicts, pass rates per workload × nemesis, each run's files and report).
 * Serves until interrupted; binds to 127.0.0.1 unless --host says otherwise.
 */
import { Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.ts';

function parsePort(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(s)}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('browse the runs in a results directory: verdicts, anomalies, pass rates over time, reports and files')
    .argument('[results-dir]', 'the results directory', 'results')
    .option('--host <address>', 'address to listen on; anything but loopback exposes your results to the network', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').default('8080'))
    .addHelpText('after', '\nExamples:\n  faultline serve\n  faultline serve results --port 0')
    .action(async (dir: string, flags: { host: string; port: string }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('no such results directory', { file: dir });
      const port = parsePort(flags.port);
      const { startServer } = await import('../report/serve/server.ts');
      let running;
      try {
        running = await startServer({ root: dir, host: flags.host, port });
      } catch (e) {
        throw new UsageError(`cannot listen on ${flags.host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      process.stderr.write(`faultline: serving ${dir} at ${running.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
}
