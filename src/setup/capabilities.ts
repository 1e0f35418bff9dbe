/**
 * The one list of what Faultline needs from a machine's package manager, per capability. Every
 * place that installs or names a package reads it from here: `faultline test` (for the parts a
 * run uses), `faultline setup`, the test suite's global set-up, `.ci/run`, `doctor`, and the
 * adapters that install on their nodes (etcd).
 *
 * A capability is a set of Debian packages plus, for some, a step after the install (Debian
 * starts an etcd service on install, which must be stopped; the Docker engine must be started).
 */

export interface Capability {
  /** One line: what the capability makes possible. */
  readonly description: string;
  /** Debian packages (Debian 12 and 13 names). */
  readonly packages: readonly string[];
}

export const CAPABILITIES = {
  local: {
    description: 'the local provider: network namespaces, partitions, loss, rate limits, duplication, process control',
    packages: ['iproute2', 'nftables', 'iptables', 'procps', 'psmisc'],
  },
  clock: {
    description: 'clock faults: a faked wall clock per node through libfaketime',
    packages: ['libfaketime'],
  },
  delay: {
    description: 'packet delay: the NFQUEUE delay helper, compiled on first use',
    packages: ['gcc', 'libc6-dev', 'libnetfilter-queue-dev'],
  },
  'host-clock': {
    description: 'ssh hosts: the helper that steps a host clock, compiled on first use',
    packages: ['gcc', 'libc6-dev'],
  },
  disk: {
    description: 'disk faults: the fault filesystem (FUSE), compiled on first use',
    packages: ['fuse3', 'libfuse3-dev', 'gcc', 'libc6-dev', 'pkg-config'],
  },
  etcd: {
    description: 'etcd, from Debian, for --db etcd',
    packages: ['etcd-server', 'etcd-client'],
  },
  sshd: {
    description: 'the ssh provider tested on this machine: sshd in network namespaces',
    packages: ['openssh-server', 'openssh-client', 'netcat-openbsd'],
  },
  zip: {
    description: 'reading Consul release zips',
    packages: ['zip', 'unzip'],
  },
  chromium: {
    description: 'rendering reports in a real browser (report tests)',
    packages: ['chromium'],
  },
  docker: {
    description: 'the docker provider on this machine: the engine (started in a firewall-safe mode) and images built without a registry',
    packages: ['docker.io', 'debootstrap'],
  },
} as const satisfies Record<string, Capability>;

export type CapabilityName = keyof typeof CAPABILITIES;

export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as CapabilityName[];

/** What the test suite needs, all of it (`faultline setup tests`, the suite's global set-up). */
export const TEST_SUITE_CAPABILITIES: readonly CapabilityName[] = CAPABILITY_NAMES;

/** Group names `faultline setup` takes besides single capabilities. */
export const CAPABILITY_GROUPS: Readonly<Record<string, readonly CapabilityName[]>> = {
  tests: TEST_SUITE_CAPABILITIES,
  all: CAPABILITY_NAMES,
};

export function isCapability(name: string): name is CapabilityName {
  return Object.hasOwn(CAPABILITIES, name);
}

/** The packages of some capabilities, each once, in list order. */
export function packagesOf(names: Iterable<CapabilityName>): string[] {
  const out = new Set<string>();
  for (const n of names) for (const p of CAPABILITIES[n].packages) out.add(p);
  return [...out];
}

/** The exact command that installs the packages, for messages and `--dry-run`. */
export function aptLine(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}
