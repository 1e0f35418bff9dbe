/**
 * Faultline's own providers as definitions, for the registry behind `--provider`: local network
 * namespaces, ssh hosts, docker containers, and none (stores inside the controller). Each loads
 * its implementation (and its dependencies: ssh2, dockerode) only when a run uses it.
 */
import { resolve } from 'node:path';
import { FaultlineError, UsageError } from '../core/errors.ts';
import type { Logger } from '../core/context.ts';
import type { Cluster, Provider } from '../core/provider.ts';
import type { ProviderDefinition } from '../core/parts.ts';
import { opt } from '../options/schema.ts';
import { defineProvider } from '../plugins/define.ts';
import { DEFAULT_PREFIX } from './local/layout.ts';

const PREFIX = opt.string({ doc: 'run prefix for every name it creates (default fl); a run holds it while its controller lives, and a second run on it is refused', pattern: /[a-z][a-z0-9]{0,9}/, shape: '1-10 lowercase letters or digits, starting with a letter' });
const SUBNET = (fallback: string) => opt.string({ doc: `a private /24 for the nodes (default ${fallback}); held like the prefix`, pattern: /\d+\.\d+\.\d+\.0\/24/, shape: 'A.B.C.0/24' });

const local = defineProvider({
  name: 'local',
  description: 'one network namespace per node on this machine, behind a switch namespace (needs root)',
  numberedNodes: true,
  installsOn: 'controller',
  capabilities: ['local'],
  options: { prefix: PREFIX, subnet: SUBNET('10.213.0.0/24') },
  async preflight(b) {
    await (await localProviderFor(b)).preflight();
  },
  create: localProviderFor,
});

async function localProviderFor({ options, test, log }: { options: { prefix?: string | undefined; subnet?: string | undefined }; test: { nodes: readonly string[] }; log: Logger }) {
  const { localProvider } = await import('./local/provider.ts');
  return localProvider({ nodes: test.nodes.length, log: (line) => log.warn(line), ...(options.prefix ? { prefix: options.prefix } : {}), ...(options.subnet ? { subnet: options.subnet } : {}) });
}

const ssh = defineProvider({
  name: 'ssh',
  description: 'real hosts listed in an inventory file (--inventory or ssh.inventory), reached with ssh (key auth, host keys checked)',
  installsOn: 'nodes',
  options: {
    inventory: opt.string({ doc: 'the JSON inventory of the hosts (user, key, known hosts, nodes); also --inventory FILE', shape: 'a path' }),
    prefix: PREFIX,
    clock: opt.enum(['none', 'faketime', 'host'], { doc: 'how the clock nemesis skews a host: faketime (daemons under libfaketime) or host (the host clock; refused for hosts sharing this kernel)', default: 'none' }),
  },
  async preflight({ options, test }) {
    if (!options.inventory) throw new UsageError('the ssh provider needs --inventory FILE listing the hosts (see README, "The ssh provider")');
    const { checkInventoryFiles, readInventory } = await import('./ssh/inventory.ts');
    const file = resolve(options.inventory);
    const inventory = await readInventory(file);
    const names = inventory.nodes.map((n) => n.name);
    if (names.join(',') !== test.nodes.join(',')) {
      throw new UsageError(`--nodes ${test.nodes.join(',')} does not match the inventory's hosts ${names.join(',')}; use --nodes ${names.join(',')}`);
    }
    await checkInventoryFiles(inventory, file);
    const { refuseIfHeld } = await import('./run-lock.ts');
    await refuseIfHeld({ prefix: options.prefix ?? DEFAULT_PREFIX, provider: 'ssh', prefixOption: '--opt ssh.prefix' });
  },
  async create({ options, log }) {
    const { readInventory } = await import('./ssh/inventory.ts');
    const { sshProvider } = await import('./ssh/provider.ts');
    const inventory = await readInventory(resolve(options.inventory!));
    return sshProvider({ inventory, clock: options.clock, log: (line) => log.warn(line), ...(options.prefix ? { prefix: options.prefix } : {}) });
  },
});

const docker = defineProvider({
  name: 'docker',
  description: 'one container per node on a labelled network through the Docker engine (docker/README.md; faultline setup docker)',
  numberedNodes: true,
  installsOn: 'none',
  options: {
    prefix: PREFIX,
    subnet: SUBNET('10.214.0.0/24'),
    image: opt.string({ doc: 'the node image (default faultline/node:latest, built by docker/build-images.sh)' }),
  },
  async preflight(b) {
    await (await dockerProviderFor(b.options, b.test.nodes.length, b.resultsDir, b.log)).preflight();
  },
  create: (b) => dockerProviderFor(b.options, b.test.nodes.length, b.resultsDir, b.log),
});

async function dockerProviderFor(o: { prefix?: string | undefined; subnet?: string | undefined; image?: string | undefined }, nodes: number, resultsDir: string, log: Logger) {
  const { dockerProvider } = await import('./docker/provider.ts');
  return dockerProvider({ nodes, shared: [resultsDir], log: (line) => log.warn(line), ...(o.prefix ? { prefix: o.prefix } : {}), ...(o.subnet ? { subnet: o.subnet } : {}), ...(o.image ? { image: o.image } : {}) });
}

/** A cluster of named nodes for stores inside the controller: no remotes, addresses are the names. */
export function inProcessCluster(nodes: readonly string[]): Cluster {
  return {
    nodes: nodes.map((name) => ({ name, address: name })),
    remote(node: string): never {
      throw new FaultlineError('E_NO_REMOTE', `node ${node} has no remote: the stores live in the controller (provider "none")`);
    },
  };
}

const none = defineProvider({
  name: 'none',
  description: 'no cluster: in-process stores inside the controller (no root, no faults)',
  inProcess: true,
  installsOn: 'none',
  create({ test }): Provider {
    return { name: 'none', up: async () => inProcessCluster(test.nodes), down: async () => {} };
  },
});

export const BUILTIN_PROVIDERS: readonly ProviderDefinition[] = [local, ssh, docker, none];
