/**
 * The fault filesystem's control language, typed: the words each command sends to the faultfs
 * daemon (checked here, so a bad spec fails on the controller with a clear message before anything
 * reaches a node), the replies it sends back, and the mount naming that lets cleanup find every
 * fault filesystem again. Pure: no I/O.
 */

/** The operations a fault can target. */
export type DiskOp = 'read' | 'write' | 'fsync';

/** Latency added by `slow`, in milliseconds. */
export type Latency =
  | { dist: 'fixed'; ms: number }
  | { dist: 'uniform'; minMs: number; maxMs: number }
  /** Exponential with this mean. */
  | { dist: 'exp'; meanMs: number };

/**
 * One fault. Random choices (which op fails, which bit flips, how much of a torn write survives)
 * come from `seed` when given, so a run can be replayed.
 *
 * @example { kind: 'eio', ops: ['fsync'], rate: 0.1, path: 'wal/*' }
 */
export type DiskFault =
  /** Every write and directory change not fsynced is lost; `torn`: the last write to each file keeps a page-aligned prefix. */
  | { kind: 'power-loss'; torn?: boolean; seed?: number }
  /** EIO for a fraction (`rate`, default 1) of `ops` (default all three) on files matching `path` (a glob relative to the mount; `*` crosses `/`). */
  | { kind: 'eio'; ops?: readonly DiskOp[]; rate?: number; path?: string; seed?: number }
  /** Latency before each of `ops` (default write and fsync). */
  | { kind: 'slow'; ops?: readonly DiskOp[]; latency: Latency; seed?: number }
  /** Writes succeed for `bytes` more bytes, then ENOSPC. */
  | { kind: 'enospc'; bytes: number }
  /** A read returns one bit flipped with probability `rate` (default 1); the disk keeps the right data. */
  | { kind: 'flip'; rate?: number; path?: string; seed?: number };

export type DiskCommand = DiskFault | { kind: 'heal' } | { kind: 'status' };

/**
 * When a namespace change (create, rename, unlink, mkdir, rmdir, link) becomes durable:
 * `journal`: at the next fsync of any file or directory, as ext4's or xfs's ordered metadata
 * journal makes it; `strict`: only at the fsync of its directory (POSIX's minimum), which finds
 * the missing directory fsyncs journalling filesystems hide. Un-fsynced file data is lost in both.
 */
export type DirSync = 'journal' | 'strict';

/** What the daemon reports on `status`. */
export interface FaultFsStatus {
  pid: number;
  dirs: DirSync;
  /** Bytes written since the last fsync of their file. */
  unsyncedBytes: number;
  unsyncedFiles: number;
  /** Directories changed since their last fsync. */
  dirtyDirs: number;
  /** Renames between directories durable in neither yet. */
  pendingRenames: number;
  /** Removed names kept aside because they are still durable somewhere. */
  parked: number;
  /** Active faults, null when off; their fields as the daemon holds them. */
  faults: { eio: Record<string, unknown> | null; slow: Record<string, unknown> | null; enospc: { remaining: number } | null; flip: Record<string, unknown> | null };
  /** How often each fault struck since the mount (slowMs: total latency added). */
  applied: { eio: number; slow: number; slowMs: number; enospc: number; flip: number; powerLoss: number; torn: number };
}

/** A write that survived a power loss only in part. */
export interface TornWrite {
  path: string;
  offset: number;
  length: number;
  /** Bytes of the write kept, from its start, ending on a page boundary. */
  kept: number;
}

export interface PowerLossReport {
  /** Unsynced bytes thrown away. */
  droppedBytes: number;
  /** Files put back to their fsynced content, directories to their fsynced entries. */
  files: number;
  dirs: number;
  /** Restore steps that failed (0 unless the backing filesystem misbehaved). */
  missing: number;
  tornCount: number;
  /** The first 64 torn writes. */
  torn: TornWrite[];
}

const OPS: readonly DiskOp[] = ['read', 'write', 'fsync'];

/** The words of one command, as `faultfs ctl SOCKET ...` takes them. Throws on an invalid spec. */
export function commandWords(c: DiskCommand): string[] {
  switch (c.kind) {
    case 'status':
    case 'heal':
      return [c.kind];
    case 'power-loss':
      return ['power-loss', ...(c.torn ? ['torn'] : []), ...seedWord(c.seed)];
    case 'eio':
      return ['eio', ...opsWord(c.ops), ...rateWord(c.rate), ...pathWord(c.path), ...seedWord(c.seed)];
    case 'slow':
      return ['slow', ...opsWord(c.ops), ...latencyWords(c.latency), ...seedWord(c.seed)];
    case 'enospc':
      if (!Number.isSafeInteger(c.bytes) || c.bytes < 0) throw new RangeError(`enospc: bytes must be a non-negative integer, got ${c.bytes}`);
      return ['enospc', `bytes=${c.bytes}`];
    case 'flip':
      return ['flip', ...rateWord(c.rate), ...pathWord(c.path), ...seedWord(c.seed)];
  }
}

function opsWord(ops: readonly DiskOp[] | undefined): string[] {
  if (ops === undefined) return [];
  if (ops.length === 0) throw new RangeError('ops: name at least one of read, write, fsync');
  for (const o of ops) if (!OPS.includes(o)) throw new RangeError(`ops: unknown op ${JSON.stringify(o)} (read, write, fsync)`);
  return [`ops=${[...new Set(ops)].join(',')}`];
}

function rateWord(rate: number | undefined): string[] {
  if (rate === undefined) return [];
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be in [0, 1], got ${rate}`);
  return [`rate=${rate}`];
}

function pathWord(path: string | undefined): string[] {
  if (path === undefined || path === '') return [];
  if (/[\s\0]/.test(path) || path.length > 255) throw new RangeError(`path ${JSON.stringify(path)}: no whitespace, at most 255 characters`);
  return [`path=${path}`];
}

function seedWord(seed: number | undefined): string[] {
  if (seed === undefined) return [];
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  return [`seed=${seed}`];
}

function ms(name: string, v: number): string {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`slow: ${name} must be a non-negative number of ms, got ${v}`);
  return String(v);
}

function latencyWords(l: Latency): string[] {
  switch (l.dist) {
    case 'fixed':
      return ['dist=fixed', `ms=${ms('ms', l.ms)}`];
    case 'uniform':
      if (l.maxMs < l.minMs) throw new RangeError(`slow: minMs ${l.minMs} is above maxMs ${l.maxMs}`);
      return ['dist=uniform', `min=${ms('minMs', l.minMs)}`, `max=${ms('maxMs', l.maxMs)}`];
    case 'exp':
      return ['dist=exp', `mean=${ms('meanMs', l.meanMs)}`];
  }
}

/** The daemon's one-line JSON reply; throws with its error when it refused the command. */
export function parseReply(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text.trim());
  } catch {
    throw new Error(`faultfs: unreadable reply ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`faultfs: reply is not an object: ${text.trim().slice(0, 200)}`);
  const r = v as Record<string, unknown>;
  if (r.ok !== true) throw new Error(`faultfs: ${typeof r.error === 'string' ? r.error : 'command failed'}`);
  return r;
}

function field(r: Record<string, unknown>, key: string): number {
  const v = r[key];
  if (typeof v !== 'number') throw new Error(`faultfs: reply lacks the number ${key}`);
  return v;
}

function record(r: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = r[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`faultfs: reply lacks the object ${key}`);
  return v as Record<string, unknown>;
}

function optionalRecord(r: Record<string, unknown>, key: string): Record<string, unknown> | null {
  return r[key] === null ? null : record(r, key);
}

export function parseStatus(r: Record<string, unknown>): FaultFsStatus {
  const faults = record(r, 'faults');
  const applied = record(r, 'applied');
  const enospc = optionalRecord(faults, 'enospc');
  if (r.dirs !== 'journal' && r.dirs !== 'strict') throw new Error('faultfs: reply lacks dirs (journal or strict)');
  return {
    pid: field(r, 'pid'),
    dirs: r.dirs,
    unsyncedBytes: field(r, 'unsyncedBytes'),
    unsyncedFiles: field(r, 'unsyncedFiles'),
    dirtyDirs: field(r, 'dirtyDirs'),
    pendingRenames: field(r, 'pendingRenames'),
    parked: field(r, 'parked'),
    faults: {
      eio: optionalRecord(faults, 'eio'),
      slow: optionalRecord(faults, 'slow'),
      enospc: enospc === null ? null : { remaining: field(enospc, 'remaining') },
      flip: optionalRecord(faults, 'flip'),
    },
    applied: {
      eio: field(applied, 'eio'),
      slow: field(applied, 'slow'),
      slowMs: field(applied, 'slowMs'),
      enospc: field(applied, 'enospc'),
      flip: field(applied, 'flip'),
      powerLoss: field(applied, 'powerLoss'),
      torn: field(applied, 'torn'),
    },
  };
}

export function parsePowerLoss(r: Record<string, unknown>): PowerLossReport {
  const torn = r.torn;
  if (!Array.isArray(torn)) throw new Error('faultfs: reply lacks the torn list');
  return {
    droppedBytes: field(r, 'droppedBytes'),
    files: field(r, 'files'),
    dirs: field(r, 'dirs'),
    missing: field(r, 'missing'),
    tornCount: field(r, 'tornCount'),
    torn: torn.map((t: unknown) => {
      if (typeof t !== 'object' || t === null) throw new Error('faultfs: bad torn entry');
      const o = t as Record<string, unknown>;
      if (typeof o.path !== 'string') throw new Error('faultfs: torn entry lacks its path');
      return { path: o.path, offset: field(o, 'offset'), length: field(o, 'length'), kept: field(o, 'kept') };
    }),
  };
}

// ---- naming and finding mounts ----

/** The filesystem type every fault filesystem shows in the mount table. */
export const FAULTFS_TYPE = 'fuse.faultfs';
const FSNAME_PREFIX = 'faultfs:';
const TAG = /^[A-Za-z0-9][A-Za-z0-9._-]*(?::[A-Za-z0-9._-]+)*$/;

/**
 * The mount's source name, `faultfs:<tag>`. Tags are words joined by `:`, most general first
 * (e.g. `<run prefix>:<node>`), so cleanup can find a run's mounts by its first word(s).
 */
export function fsName(tag: string): string {
  if (!TAG.test(tag) || tag.length > 64) throw new RangeError(`faultfs tag ${JSON.stringify(tag)}: letters, digits, . _ - in words joined by ':', at most 64 characters`);
  return FSNAME_PREFIX + tag;
}

/** Where the daemon of a tag listens (short: unix socket paths end at 107 bytes). */
export function socketPath(tag: string): string {
  fsName(tag);
  return `/run/faultline/faultfs/${tag}.sock`;
}

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
}

/** The entries of /proc/self/mounts (octal escapes such as \040 undone). */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, fstype] = line.split(' ');
    if (source === undefined || target === undefined || fstype === undefined) continue;
    out.push({ source: unescape(source), target: unescape(target), fstype });
  }
  return out;
}

/** The tag of a fault filesystem's mount entry (its source without `faultfs:`). */
export function mountTag(m: MountEntry): string {
  return m.source.slice(FSNAME_PREFIX.length);
}

/** The fault filesystems among the mounts; with `tagPrefix`, only those whose tag is it or starts with `<tagPrefix>:`. */
export function faultFsMounts(mounts: readonly MountEntry[], tagPrefix?: string): MountEntry[] {
  return mounts.filter((m) => {
    if (m.fstype !== FAULTFS_TYPE || !m.source.startsWith(FSNAME_PREFIX)) return false;
    if (tagPrefix === undefined) return true;
    const tag = mountTag(m);
    return tag === tagPrefix || tag.startsWith(`${tagPrefix}:`);
  });
}
