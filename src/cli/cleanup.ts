/**
 * `faultline cleanup`: removes everything a local run left behind (after a crash, SIGKILL or
 * Ctrl-C): processes found by namespace, cgroup and env marker, fault filesystems, namespaces,
 * veths, cgroups, rules. Without --prefix it cleans every run it can find (registered runs,
 * marked processes and fault filesystems). With --inventory it also removes our iptables chains
 * and marked processes on ssh hosts. With --provider docker it removes the labelled containers,
 * networks and volumes of docker runs instead. Never touches the root namespace's firewall; never
 * kills by name. Exit 0 when everything was removed, 1 when something could not be (listed on
 * stderr).
 */
import type { Command } from 'commander';
import { cleanupRun, knownRuns, type CleanupReport } from '../providers/local/cleanup.ts';
import { DEFAULT_PREFIX, checkPrefix } from '../providers/local/layout.ts';
import { requireRoot } from '../providers/root.ts';
import { UsageError } from '../core/errors.ts';

export function register(program: Command): void {
  program
    .command('cleanup')
    .description('remove the namespaces, veths, cgroups, rules and processes a crashed or interrupted run left behind')
    .option('--prefix <prefix>', 'only the run with this prefix (default: every run found)')
    .option('--inventory <file>', 'also clean the hosts of this ssh inventory')
    .option('--provider <provider>', 'local (default) or docker: remove the labelled containers, networks and volumes of docker runs')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { prefix?: string; inventory?: string; provider?: string; json?: boolean }) => {
      if (flags.prefix !== undefined) checkPrefix(flags.prefix);
      if (flags.provider === 'docker') return cleanupDockerRuns(flags.prefix, flags.json === true);
      if (flags.provider !== undefined && flags.provider !== 'local') throw new UsageError(`cleanup --provider ${JSON.stringify(flags.provider)}: use local or docker`);
      const inventory = flags.inventory ? await (await import('../providers/ssh/inventory.ts')).readInventory(flags.inventory) : undefined;
      requireRoot('faultline cleanup');
      const prefixes = flags.prefix ? [flags.prefix] : [...new Set([DEFAULT_PREFIX, ...(await knownRuns())])].sort();
      const reports: CleanupReport[] = [];
      for (const p of prefixes) reports.push(await cleanupRun(p));
      const ssh: string[] = [];
      if (inventory) {
        const { sshProvider } = await import('../providers/ssh/provider.ts');
        for (const p of flags.prefix ? [flags.prefix] : [DEFAULT_PREFIX]) {
          await sshProvider({ inventory, prefix: p }).down();
          ssh.push(...inventory.nodes.map((n) => `${n.name}: cleaned (prefix ${p})`));
        }
      }
      const problems = reports.flatMap((r) => r.problems.map((x) => `${r.prefix}: ${x}`));
      if (flags.json) {
        process.stdout.write(JSON.stringify({ runs: reports, ssh, ok: problems.length === 0 }, null, 2) + '\n');
      } else {
        for (const r of reports) {
          const did = [
            r.killed.length ? `killed ${r.killed.length} process(es)` : '',
            r.namespaces.length ? `deleted ${r.namespaces.length} namespace(s)` : '',
            r.links.length ? `deleted ${r.links.join(', ')}` : '',
            r.mounts.length ? `unmounted ${r.mounts.join(', ')}` : '',
            r.cgroups ? 'removed cgroups' : '',
          ].filter(Boolean);
          process.stderr.write(`run ${r.prefix}: ${did.length ? did.join(', ') : 'nothing to clean'}\n`);
        }
        for (const s of ssh) process.stderr.write(`${s}\n`);
        for (const p of problems) process.stderr.write(`problem: ${p}\n`);
      }
      process.exitCode = problems.length > 0 ? 1 : 0;
    });
}

/** `cleanup --provider docker`: everything labelled for the prefix (every prefix without one). */
async function cleanupDockerRuns(prefix: string | undefined, json: boolean): Promise<void> {
  const { cleanupDocker } = await import('../providers/docker/cleanup.ts');
  const { dockerClient, requireEngine } = await import('../providers/docker/provider.ts');
  const docker = dockerClient();
  await requireEngine(docker);
  const r = await cleanupDocker(docker, prefix);
  if (json) {
    process.stdout.write(JSON.stringify({ docker: r, ok: r.problems.length === 0 }, null, 2) + '\n');
  } else {
    const did = [...r.containers.map((c) => `container ${c}`), ...r.networks.map((n) => `network ${n}`), ...r.volumes.map((v) => `volume ${v}`)];
    process.stderr.write(`docker${prefix ? ` run ${prefix}` : ''}: ${did.length ? `removed ${did.join(', ')}` : 'nothing to clean'}\n`);
    for (const p of r.problems) process.stderr.write(`problem: ${p}\n`);
  }
  process.exitCode = r.problems.length > 0 ? 1 : 0;
}
