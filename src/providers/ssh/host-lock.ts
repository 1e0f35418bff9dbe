/**
 * The ssh provider's hold on its prefix on each host: `flock` on
 * /run/faultline/locks/ssh-<prefix>.lock, held by a shell started over the run's own ssh
 * connection that waits on its standard input. The kernel drops the lock when that shell ends, and
 * it ends when the controller releases it or when the connection goes (controller killed, network
 * gone: sshd closes the shell's input), so a host never needs to know whether a controller on
 * another machine still lives. Next to the lock, ssh-<prefix>.json names the holder (controller
 * pid, machine, since, command); a release removes it, so a record the next taker finds names a
 * holder that vanished: it is taken over, and the taker says so. Hosts that share one file system
 * (namespaces of one machine) see the lock taken through the first of them as this run's own.
 */
import os from 'node:os';
import type { HeldSession, SshRemote } from '../../control/ssh.ts';
import { shellQuote } from '../../control/quote.ts';
import { checkPrefix } from '../local/layout.ts';
import { UsageError } from '../../core/errors.ts';
import { type LockHolder, RunLockHeld, describeHolder, newHolder, parseHolder } from '../run-lock.ts';

export const HOST_LOCK_DIR = '/run/faultline/locks';

/**
 * The script run on a host; $1 is this controller's record. It prints one line: `locked <record
 * found, if any>` and then holds the lock until a line arrives on its input (`release` removes the
 * record) or the input ends; or `held <the holder's record>` and exits.
 */
export function hostLockScript(prefix: string, dir: string = HOST_LOCK_DIR): string {
  checkPrefix(prefix);
  const base = shellQuote(`${dir}/ssh-${prefix}`);
  return [
    'command -v flock >/dev/null || { echo "flock is missing on this host (apt-get install util-linux)" >&2; exit 127; }',
    `mkdir -p ${shellQuote(dir)} && exec 9>>${base}.lock || exit 1`,
    'if flock -n 9; then',
    `  old=$(cat ${base}.json 2>/dev/null); printf '%s\\n' "$1" > ${base}.json || exit 1`,
    `  printf 'locked %s\\n' "$old"`,
    `  if read -r what && [ "$what" = release ]; then rm -f ${base}.json; fi`,
    'else',
    `  printf 'held %s\\n' "$(cat ${base}.json 2>/dev/null)"`,
    'fi',
  ].join('\n');
}

/** What one host answered: locked (with the record of a vanished holder, if any) or held. */
export type HostLockAnswer = { kind: 'locked'; stale: LockHolder | undefined } | { kind: 'held'; holder: LockHolder | undefined };

/** Reads the script's line. */
export function parseHostLockLine(line: string): HostLockAnswer {
  const m = /^(locked|held) ?(.*)$/.exec(line);
  if (!m) throw new Error(`unexpected answer from the host lock: ${JSON.stringify(line)}`);
  const record = m[2] ? parseHolder(m[2]) : undefined;
  return m[1] === 'locked' ? { kind: 'locked', stale: record } : { kind: 'held', holder: record };
}

/**
 * Asks one host for the lock; a session that got it joins `sessions`. A host whose lock this run
 * already holds (through another host on the same file system) counts as locked. A holder that
 * has not written its record yet is asked again a few times.
 */
async function lockHost(host: SshRemote, prefix: string, holder: LockHolder, sessions: HeldSession[], dir: string | undefined): Promise<HostLockAnswer> {
  for (let attempt = 0; ; attempt++) {
    const session = await host.session(hostLockScript(prefix, dir), [JSON.stringify(holder)]);
    const answer = parseHostLockLine(session.firstLine);
    if (answer.kind === 'locked') {
      sessions.push(session);
      return answer;
    }
    await session.finish('');
    if (answer.holder?.token === holder.token) return { kind: 'locked', stale: undefined };
    if (answer.holder || attempt === 4) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The prefix held on a set of hosts. */
export interface HostLocks {
  /** Gives every host's lock back; safe to call twice. */
  release(): Promise<void>;
}

export interface HostLockOptions {
  /** Where the takeover of a vanished holder's lock is reported. */
  log: (line: string) => void;
  /** The lock directory on the hosts (default /run/faultline/locks). */
  dir?: string;
}

/**
 * Takes the prefix on every host, one host after the other; all or nothing. A host held by
 * another controller refuses the run (RunLockHeld naming it, or naming no one when its record
 * cannot be read yet).
 */
export async function lockHosts(hosts: readonly SshRemote[], prefix: string, o: HostLockOptions): Promise<HostLocks> {
  const holder: LockHolder = { what: `prefix ${prefix}`, ...(await newHolder({ prefix, provider: 'ssh' })), machine: os.hostname() };
  const sessions: HeldSession[] = [];
  const release = async (): Promise<void> => {
    const open = sessions.splice(0);
    await Promise.allSettled(open.map((s) => s.finish('release')));
  };
  try {
    for (const host of hosts) {
      const answer = await lockHost(host, prefix, holder, sessions, o.dir);
      if (answer.kind === 'held') {
        const where = `prefix ${prefix} on host ${host.node}`;
        if (!answer.holder) throw new UsageError(`${where} is in use by another controller that has not named itself in ${o.dir ?? HOST_LOCK_DIR}/ssh-${prefix}.json; wait for it to end, or pick another prefix with --opt ssh.prefix=P`);
        throw new RunLockHeld({ key: `ssh-${prefix}`, what: where, fix: 'pick another prefix with --opt ssh.prefix=P' }, answer.holder);
      }
      if (answer.stale) o.log(`prefix ${prefix} on host ${host.node}: its holder is gone (${describeHolder(answer.stale)}); taking it over`);
    }
  } catch (e) {
    await release();
    throw e;
  }
  return { release };
}
