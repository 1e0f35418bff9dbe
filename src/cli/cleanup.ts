/**
 * `faultline cleanup`: removes what runs left behind after a crash, SIGKILL or Ctrl-C — only of
 * runs whose controller is dead. A run whose controller lives holds its prefix (see
 * providers/run-lock.ts) and is left alone, named with its pid. Needs `--prefix P` (the run that
 * `--opt local.prefix=P`, `docker.prefix` or `ssh.prefix` named) or `--all` (every run found).
 * Local runs (the default): processes found by namespace, cgroup and env marker, fault
 * filesystems, namespaces, veths, cgroups, the work directory and the dead run's locks. With --inventory it also cleans the
 * hosts of an ssh inventory (our iptables chains, marked processes, work directory); with
 * --provider docker it removes the labelled containers, networks and volumes of docker runs
 * instead. Never touches the root namespace's firewall; never kills by name. Exit 0 when
 * everything of the dead runs was removed (live runs left alone included), 1 when something could
 * not be (listed on stderr).
 */
import type { Command } from 'commander';
import type { CleanupFlags } from './cleanup-run.ts';

export function register(program: Command): void {
  program
    .command('cleanup')
    .description('remove what crashed or interrupted runs left behind (namespaces, veths, cgroups, rules, processes, work directories); runs whose controller is alive are left alone')
    .option('--prefix <prefix>', 'the run with this prefix (the --opt local.prefix, docker.prefix or ssh.prefix it ran with)')
    .option('--all', 'every run found whose controller is dead')
    .option('--inventory <file>', 'also clean the hosts of this ssh inventory')
    .option('--provider <provider>', 'local (default) or docker: remove the labelled containers, networks and volumes of docker runs')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: CleanupFlags) => {
      await (await import('./cleanup-run.ts')).cleanup(flags);
    });
}

