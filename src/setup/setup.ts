/**
 * Sets this machine up for some capabilities: installs their Debian packages (src/setup/
 * install.ts) and, for `docker`, starts the engine in its firewall-safe mode and builds the node
 * images without a registry (the scripts under docker/). Shared by `faultline setup`, the test
 * suite's global set-up and `.ci/run`.
 */
import { spawn } from 'node:child_process';
import { UsageError } from '../core/errors.ts';
import { packageFile } from '../code-paths.ts';
import { CAPABILITIES, CAPABILITY_GROUPS, CAPABILITY_NAMES, aptLine, isCapability, packagesOf, type CapabilityName } from './capabilities.ts';
import { CONTROLLER, ensurePackages, missingPackages } from './install.ts';

/** Capability names from the command line: single capabilities or groups (tests, all). */
export function resolveCapabilities(names: readonly string[]): CapabilityName[] {
  const out = new Set<CapabilityName>();
  for (const name of names) {
    const group = CAPABILITY_GROUPS[name];
    if (group) group.forEach((c) => out.add(c));
    else if (isCapability(name)) out.add(name);
    else throw new UsageError(`unknown capability ${JSON.stringify(name)}; known: ${[...CAPABILITY_NAMES, ...Object.keys(CAPABILITY_GROUPS)].join(', ')}`);
  }
  return [...out];
}

export interface SetupPlan {
  capabilities: CapabilityName[];
  /** Packages not yet installed. */
  missing: string[];
  /** Commands that would run, in order (apt-get, then engine and image steps). */
  steps: string[];
}

const DOCKER_STEPS = ['docker/start-dockerd.sh', 'docker/build-images.sh'];

/** What setting these capabilities up would do on this machine, without doing it. */
export async function planSetup(capabilities: readonly CapabilityName[]): Promise<SetupPlan> {
  const missing = await missingPackages(CONTROLLER, packagesOf(capabilities));
  const steps = missing.length ? [aptLine(missing)] : [];
  if (capabilities.includes('docker')) steps.push(...DOCKER_STEPS.map((s) => packageFile(s)));
  return { capabilities: [...capabilities], missing, steps };
}

function runScript(path: string, say: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = (b: Buffer): void => b.toString().split('\n').filter(Boolean).forEach((l) => say(`  ${l}`));
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new UsageError(`${path} exited ${code}`))));
  });
}

/** Installs what is missing and runs the docker steps; says every step aloud. */
export async function setUp(capabilities: readonly CapabilityName[], o: { say: (line: string) => void; install?: boolean }): Promise<void> {
  const why = capabilities.length === 1 ? `capability ${capabilities[0]}` : `capabilities ${capabilities.join(', ')}`;
  await ensurePackages(CONTROLLER, packagesOf(capabilities), { why, say: o.say, ...(o.install === false ? { install: false } : {}) });
  if (capabilities.includes('docker')) {
    for (const step of DOCKER_STEPS) {
      o.say(`running ${step}`);
      await runScript(packageFile(step), o.say);
    }
  }
}

/** One line per capability: name, installed or what is missing, what it is for. */
export async function describeCapabilities(): Promise<string[]> {
  const lines: string[] = [];
  for (const name of CAPABILITY_NAMES) {
    const c = CAPABILITIES[name];
    const missing = await missingPackages(CONTROLLER, c.packages).catch(() => [...c.packages]);
    const state = missing.length === 0 ? 'installed' : `missing ${missing.join(' ')}`;
    lines.push(`${name.padEnd(11)} ${state.padEnd(34)} ${c.description}`);
  }
  return lines;
}
