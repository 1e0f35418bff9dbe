/**
 * Several Raft groups on one node share the node's one disk: every group's storage call is
 * written to the node's log as a journal record tagged with the group, and loading replays the
 * journal into each group's log and state. A flush makes everything written so far durable, for
 * every group at once (never less than each group asked for).
 */
import type { DurableContents, DurableStorage, LogRecord } from '../runtime.ts';

/** One journal record: an append, a truncation or a state save of one group. */
type JournalOp =
  | { g: string; op: 'append'; records: LogRecord[] }
  | { g: string; op: 'truncate'; from: number }
  | { g: string; op: 'state'; state: Record<string, unknown> };

function isJournalOp(x: unknown): x is JournalOp {
  if (typeof x !== 'object' || x === null) return false;
  const j = x as Record<string, unknown>;
  if (typeof j.g !== 'string') return false;
  if (j.op === 'append') return Array.isArray(j.records);
  if (j.op === 'truncate') return typeof j.from === 'number';
  return j.op === 'state' && typeof j.state === 'object' && j.state !== null;
}

/** Replays a node's journal into each group's durable contents. */
export function replayJournal(log: readonly LogRecord[]): Map<string, DurableContents> {
  const groups = new Map<string, DurableContents>();
  for (const [i, rec] of log.entries()) {
    const j = rec.command;
    if (!isJournalOp(j)) throw new Error(`journal record ${i + 1} is not a group storage record`);
    let c = groups.get(j.g);
    if (!c) groups.set(j.g, (c = { state: undefined, log: [] }));
    if (j.op === 'append') c.log.push(...j.records);
    else if (j.op === 'truncate') c.log.length = Math.min(c.log.length, j.from - 1);
    else c.state = j.state;
  }
  return groups;
}

/** The storages of a node's groups over its one disk; `load` the node's disk once, first. */
export class GroupDisks {
  private readonly disk: DurableStorage;
  private readonly loaded: Map<string, DurableContents>;

  constructor(disk: DurableStorage) {
    this.disk = disk;
    this.loaded = replayJournal(disk.load().log);
  }

  /** The storage of group `g`: what it held when the node started, and writes journaled under `g`. */
  storage(g: string): DurableStorage {
    const disk = this.disk;
    const contents = this.loaded.get(g) ?? { state: undefined, log: [] };
    return {
      load: () => contents,
      append: records => disk.append([{ term: 0, command: { g, op: 'append', records: [...records] } }]),
      truncate: from => disk.append([{ term: 0, command: { g, op: 'truncate', from } }]),
      saveState: state => disk.append([{ term: 0, command: { g, op: 'state', state } }]),
      flush: done => disk.flush(done),
    };
  }
}
