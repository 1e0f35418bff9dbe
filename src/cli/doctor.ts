/**
 * `faultline doctor`: what this machine (and optionally each host of an ssh inventory) can do:
 * root, namespaces, nft/iptables, tc qdiscs (netem or not), freezer, libfaketime, cc for the
 * delay helper, the DB binaries, ssh reachability; then per fault: works / fallback /
 * unavailable, with the reason and the apt package that fixes it. With --provider docker: the
 * Docker engine, its API version, the images and the faults containers support. Exit 0 when
 * every fault works (possibly through a fallback), 1 when some fault is unavailable.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.ts';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check which faults work on this machine (and ssh hosts), which use a fallback, and what fixes the rest')
    .option('--inventory <file>', 'also check the hosts of this ssh inventory (JSON)')
    .option('--provider <provider>', 'local (default) or docker: engine, API version, images and the faults containers support')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { inventory?: string; provider?: string; json?: boolean }) => {
      if (flags.provider !== undefined && flags.provider !== 'local' && flags.provider !== 'docker') {
        throw new UsageError(`doctor --provider ${JSON.stringify(flags.provider)}: use local or docker (ssh hosts: --inventory FILE)`);
      }
      const { runDoctor, formatDoctor } = await import('../providers/doctor.ts');
      const { consulCheck } = await import('../db/consul/install.ts');
      const inventory = flags.inventory ? await (await import('../providers/ssh/inventory.ts')).readInventory(flags.inventory) : undefined;
      const report = flags.provider === 'docker' ? await (await import('../providers/docker/doctor.ts')).runDockerDoctor() : await runDoctor(inventory ? { inventory } : {});
      report.checks.push(await consulCheck());
      if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write(formatDoctor(report));
      process.exitCode = report.faults.some((f) => f.status === 'unavailable') ? 1 : 0;
    });
}
