/**
 * Run locks: a run holds its prefix (and its subnet, where it has one) on the controller's machine
 * for as long as its controller lives, so that a second run on the same prefix or subnet is
 * refused instead of tearing the first one down. A prefix is one name space for every provider:
 * the local provider's namespaces, cgroups and marked processes, the docker provider's containers
 * (whose processes are visible here and carry the same marker) and the ssh provider's markers all
 * use it.
 *
 * A lock is a small JSON file in /run/faultline/locks naming its holder: the controller's pid, that
 * process's start time (so that a reused pid is not mistaken for the holder), when the lock was
 * taken and the controller's command line. A lock whose holder is gone is stale: the next run
 * takes it over and says so. Locks are taken and released under a short machine-wide mutex (an
 * abstract unix socket, which the kernel frees when its process dies), so two controllers that
 * start at the same moment cannot both win.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { FaultlineError, UsageError } from '../core/errors.ts';
import { shellJoin } from '../control/quote.ts';
import { checkPrefix, parseSubnet } from './local/layout.ts';

export const LOCK_DIR = '/run/faultline/locks';

/** Who holds a lock: written into the lock file, shown when a run is refused. */
export interface LockHolder {
  /** What the lock is for: "prefix fl" or "subnet 10.213.0.0/24". */
  what: string;
  /** The prefix of the run that holds it. */
  prefix: string;
  /** The provider of that run ("local", "docker", "ssh"), or "cleanup" while a cleanup works on it. */
  provider: string;
  pid: number;
  /** The holder's start time (field 22 of /proc/<pid>/stat): a reused pid has another one. */
  pidStart: string;
  /** Tells apart two holders inside one process. */
  token: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The controller's command line, as far as it could be read. */
  command: string;
  /** The run's work directory, for cleanup. */
  workDir?: string;
  /** The controller's machine, for a lock held on another machine (an ssh host). */
  machine?: string;
}

/** What a run asks for. */
export interface RunLockRequest {
  prefix: string;
  /** A private /24 ("A.B.C.0/24"), when the run's nodes take addresses on this machine. */
  subnet?: string;
  provider: string;
  workDir?: string;
  /** How the user picks another prefix or subnet, for the refusal: e.g. "--opt local.prefix". */
  prefixOption?: string;
  subnetOption?: string;
}

/** A lock wanted under a key (the file name), with what it is for. */
export interface LockWant {
  key: string;
  what: string;
  /** How to pick another one, for the refusal. */
  fix: string;
}

/** The locks a run asks for, most telling first (a prefix refusal says more than a subnet one). */
export function lockWants(req: RunLockRequest): LockWant[] {
  checkPrefix(req.prefix);
  const wants: LockWant[] = [
    { key: `prefix-${req.prefix}`, what: `prefix ${req.prefix}`, fix: `pick another prefix${req.prefixOption ? ` with ${req.prefixOption}=P` : ''}` },
  ];
  if (req.subnet !== undefined) {
    const net24 = parseSubnet(req.subnet);
    wants.push({ key: `subnet-${net24}`, what: `subnet ${net24}.0/24`, fix: `pick another subnet${req.subnetOption ? ` with ${req.subnetOption}=A.B.C.0/24` : ''}` });
  }
  return wants;
}

/** Where the locks live and how a holder is judged alive; the real one is `fileLockStore`. */
export interface LockStore {
  read(key: string): Promise<LockHolder | undefined>;
  write(key: string, holder: LockHolder): Promise<void>;
  remove(key: string): Promise<void>;
  /** Every lock there is, by key. */
  list(): Promise<Map<string, LockHolder>>;
  alive(holder: LockHolder): Promise<boolean>;
  /** Runs `fn` while no other controller can take or release a lock here. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** The one line that names a holder: "controller pid 42 (local run fl) since <time>, command: ...". */
export function describeHolder(h: LockHolder): string {
  const flat = h.command.replace(/\s+/g, ' ').trim();
  const cmd = flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
  const where = h.machine !== undefined ? ` on machine ${h.machine}` : '';
  return `controller pid ${h.pid}${where} (${h.provider} run ${h.prefix}) since ${h.since}${cmd ? `, command: ${cmd}` : ''}`;
}

/** A run refused because a live controller holds what it asked for; exit 254. */
export class RunLockHeld extends UsageError {
  readonly holder: LockHolder;
  constructor(want: LockWant, holder: LockHolder) {
    super(`${want.what} is in use by another run: ${describeHolder(holder)}; wait for it to end, or ${want.fix}`);
    this.holder = holder;
  }
}

/** What taking a set of locks comes to, given who holds them now and who of those lives. */
export type LockDecision =
  | { readonly kind: 'take'; readonly stale: readonly { want: LockWant; holder: LockHolder }[] }
  | { readonly kind: 'refuse'; readonly want: LockWant; readonly holder: LockHolder };

/**
 * All or nothing: refused when any wanted lock has a live holder other than `token`; otherwise
 * every lock is taken, and the ones held by dead controllers are listed as stale.
 */
export function decide(wants: readonly LockWant[], held: ReadonlyMap<string, { holder: LockHolder; alive: boolean }>, token: string): LockDecision {
  const stale: { want: LockWant; holder: LockHolder }[] = [];
  for (const want of wants) {
    const h = held.get(want.key);
    if (!h || h.holder.token === token) continue;
    if (h.alive) return { kind: 'refuse', want, holder: h.holder };
    stale.push({ want, holder: h.holder });
  }
  return { kind: 'take', stale };
}

/** A held set of locks. */
export interface RunLock {
  readonly holder: Omit<LockHolder, 'what'>;
  /** The dead holders whose locks were taken over. */
  readonly stale: readonly LockHolder[];
  /** Gives the locks up (only those still naming this holder); safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Default: the files under /run/faultline/locks. */
  store?: LockStore;
  /** Where the takeover of a stale lock is reported (default: stderr). */
  log?: (line: string) => void;
  /** Who asks (default: this process). */
  self?: { pid: number; pidStart: string; command: string };
}

/**
 * Takes the run's locks, or throws RunLockHeld naming the live holder. Stale locks (their
 * controller is dead) are taken over, each with one log line.
 *
 * @example
 * const lock = await acquireRunLock({ prefix: 'fl', subnet: '10.213.0.0/24', provider: 'local', prefixOption: '--opt local.prefix' });
 * try { ... } finally { await lock.release(); }
 */
export async function acquireRunLock(req: RunLockRequest, o: AcquireOptions = {}): Promise<RunLock> {
  const store = o.store ?? fileLockStore();
  const log = o.log ?? logToStderr;
  const wants = lockWants(req);
  const holder = await newHolder(req, o.self);
  const stale = await store.exclusive(async () => {
    const decision = decide(wants, await judged(store, wants), holder.token);
    if (decision.kind === 'refuse') throw new RunLockHeld(decision.want, decision.holder);
    for (const { want, holder: dead } of decision.stale) {
      log(`${want.what}: its holder is gone (${describeHolder(dead)}); taking it over`);
    }
    for (const want of wants) await store.write(want.key, { what: want.what, ...holder });
    return decision.stale.map((s) => s.holder);
  });
  let released = false;
  return {
    holder,
    stale,
    async release() {
      if (released) return;
      released = true;
      await store.exclusive(async () => {
        for (const want of wants) if ((await store.read(want.key))?.token === holder.token) await store.remove(want.key);
      });
    },
  };
}

/** Where lock takeovers are reported when the caller has no log. */
export function logToStderr(line: string): void {
  process.stderr.write(`faultline: ${line}\n`);
}

/** A fresh holder record for this process (or `self`), with a token of its own. */
export async function newHolder(req: { prefix: string; provider: string; workDir?: string }, self?: AcquireOptions['self']): Promise<Omit<LockHolder, 'what'>> {
  return {
    prefix: req.prefix,
    provider: req.provider,
    ...(self ?? (await thisProcess())),
    token: randomUUID(),
    since: new Date().toISOString(),
    ...(req.workDir !== undefined ? { workDir: req.workDir } : {}),
  };
}

const HOLDER_STRINGS = ['what', 'prefix', 'provider', 'pidStart', 'token', 'since', 'command'] as const;

/** A lock file's record, or undefined when the text is not one. */
export function parseHolder(text: string): LockHolder | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (!Number.isInteger(d['pid']) || !HOLDER_STRINGS.every((k) => typeof d[k] === 'string')) return undefined;
  return data as LockHolder;
}

/** Throws RunLockHeld when a live controller holds any of the run's locks; takes nothing (for a preflight). */
export async function refuseIfHeld(req: RunLockRequest, store: LockStore = fileLockStore()): Promise<void> {
  const wants = lockWants(req);
  const decision = decide(wants, await judged(store, wants), '');
  if (decision.kind === 'refuse') throw new RunLockHeld(decision.want, decision.holder);
}

async function judged(store: LockStore, wants: readonly LockWant[]): Promise<Map<string, { holder: LockHolder; alive: boolean }>> {
  const out = new Map<string, { holder: LockHolder; alive: boolean }>();
  for (const want of wants) {
    const holder = await store.read(want.key);
    if (holder) out.set(want.key, { holder, alive: await store.alive(holder) });
  }
  return out;
}

/** Every lock on this machine with whether its holder lives (what `faultline cleanup` looks at). */
export async function listRunLocks(store: LockStore = fileLockStore()): Promise<{ key: string; holder: LockHolder; alive: boolean }[]> {
  const out: { key: string; holder: LockHolder; alive: boolean }[] = [];
  for (const [key, holder] of await store.list()) out.push({ key, holder, alive: await store.alive(holder) });
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** Removes the locks of `prefix` whose holder is dead; returns what they were for. */
export async function removeStaleLocks(prefix: string, store: LockStore = fileLockStore()): Promise<string[]> {
  return store.exclusive(async () => {
    const removed: string[] = [];
    for (const { key, holder, alive } of await listRunLocks(store)) {
      if (holder.prefix === prefix && !alive) {
        await store.remove(key);
        removed.push(holder.what);
      }
    }
    return removed;
  });
}

/** What `forEachDeadRun` did: per dead run the cleaner's result, and the live runs it left alone. */
export interface DeadRuns<R> {
  cleaned: { prefix: string; result: R; staleLocks: string[] }[];
  left: LockHolder[];
}

/**
 * Runs `clean` for each prefix whose controller is dead (or that no run holds), holding the
 * prefix meanwhile so that no run can start on it, then removes the dead run's other locks (its
 * subnet); a prefix held by a live controller is left alone and its holder named. `clean` gets the
 * dead holders it replaced (their work directory, say).
 */
export async function forEachDeadRun<R>(
  prefixes: readonly string[],
  clean: (prefix: string, dead: readonly LockHolder[]) => Promise<R>,
  o: { store?: LockStore; log?: (line: string) => void } = {},
): Promise<DeadRuns<R>> {
  const out: DeadRuns<R> = { cleaned: [], left: [] };
  for (const prefix of prefixes) {
    let lock: RunLock;
    try {
      lock = await acquireRunLock({ prefix, provider: 'cleanup' }, o);
    } catch (e) {
      if (!(e instanceof RunLockHeld)) throw e;
      out.left.push(e.holder);
      continue;
    }
    try {
      const result = await clean(prefix, lock.stale);
      out.cleaned.push({ prefix, result, staleLocks: await removeStaleLocks(prefix, o.store) });
    } finally {
      await lock.release();
    }
  }
  return out;
}

/** The start time of a live (non-zombie) process, or undefined when it is gone. */
export async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3), so field 22 (starttime) is fields[19].
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

async function thisProcess(): Promise<{ pid: number; pidStart: string; command: string }> {
  const pidStart = await processStart(process.pid);
  if (pidStart === undefined) throw new FaultlineError('E_LOCK', 'cannot read /proc/self/stat: run locks need Linux /proc');
  const raw = await readFile('/proc/self/cmdline', 'utf8').catch(() => '');
  const argv = raw.split('\0').filter(Boolean);
  return { pid: process.pid, pidStart, command: argv.length > 0 ? shellJoin(argv) : process.argv.join(' ') };
}

/**
 * The locks as files in `dir` (default /run/faultline/locks), their holders judged alive by /proc.
 * Writes go through a rename, so a file is never torn; one that holds no lock record counts as
 * no lock. The mutex is an abstract unix socket named after the directory.
 */
export function fileLockStore(dir: string = LOCK_DIR): LockStore {
  const file = (key: string): string => path.join(dir, `${key}.json`);
  return {
    async read(key) {
      const text = await readFile(file(key), 'utf8').catch(() => undefined);
      return text === undefined ? undefined : parseHolder(text);
    },
    async write(key, holder) {
      await mkdir(dir, { recursive: true });
      const tmp = `${file(key)}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(holder) + '\n');
      await rename(tmp, file(key));
    },
    async remove(key) {
      await rm(file(key), { force: true });
    },
    async list() {
      const out = new Map<string, LockHolder>();
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        // Only this machine's run locks: an ssh host's record (ssh-<prefix>.json) may sit here too.
        if (!/^(prefix|subnet)-[^/]+\.json$/.test(name)) continue;
        const h = parseHolder(await readFile(path.join(dir, name), 'utf8').catch(() => ''));
        if (h) out.set(name.slice(0, -'.json'.length), h);
      }
      return out;
    },
    async alive(holder) {
      return (await processStart(holder.pid)) === holder.pidStart;
    },
    exclusive: (fn) => withMutex(`\0faultline-run-locks:${path.resolve(dir)}`, fn),
  };
}

const MUTEX_WAIT_MS = 10_000;

/** Holds the abstract unix socket `name` while `fn` runs; waits for another holder to let go. */
async function withMutex<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + MUTEX_WAIT_MS;
  for (;;) {
    const server = net.createServer();
    const got = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
      server.listen({ path: name }, () => resolve(true));
    });
    if (got) {
      server.unref();
      try {
        return await fn();
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
    if (Date.now() > deadline) throw new FaultlineError('E_LOCK', `another controller has held the run-lock mutex for ${MUTEX_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
  }
}
