/** Shape checks for Raft messages arriving from the network: a malformed one is dropped, never trusted. */
import type { RaftMessage } from './messages.ts';

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function isEntry(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as { term?: unknown; command?: { kind?: unknown; req?: unknown; members?: unknown } };
  if (!isCount(e.term) || typeof e.command !== 'object' || e.command === null) return false;
  if (e.command.kind === 'noop') return true;
  if (e.command.kind === 'app') return 'op' in e.command;
  if (e.command.kind === 'config') return Array.isArray(e.command.members) && e.command.members.every(m => typeof m === 'string');
  return e.command.kind === 'req' && typeof e.command.req === 'object' && e.command.req !== null;
}

export function isRaftMessage(x: unknown): x is RaftMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (!isCount(m.term)) return false;
  switch (m.type) {
    case 'vote':
      return isCount(m.lastLogIndex) && isCount(m.lastLogTerm);
    case 'vote-reply':
      return typeof m.granted === 'boolean';
    case 'append':
      return (
        isCount(m.prevIndex) &&
        typeof m.prevTerm === 'number' &&
        isCount(m.commit) &&
        isCount(m.seq) &&
        isCount(m.ref) &&
        Array.isArray(m.entries) &&
        m.entries.every(isEntry)
      );
    case 'append-reply':
      return typeof m.success === 'boolean' && isCount(m.matchIndex) && isCount(m.hint) && isCount(m.seq) && isCount(m.ref);
    default:
      return false;
  }
}
