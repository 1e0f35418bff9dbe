/** Raft's in-memory log (indexes from 1; index 0 is a sentinel of term 0), mirrored to DurableStorage by the node. */
import type { Command, Entry } from './messages.ts';

export class RaftLog {
  private readonly entries: Entry[] = [{ term: 0, command: { kind: 'noop' } }];

  get lastIndex(): number {
    return this.entries.length - 1;
  }

  get lastTerm(): number {
    return this.entries[this.entries.length - 1]!.term;
  }

  /** The term at `index`, or -1 when the log has no such entry. */
  termAt(index: number): number {
    return this.entries[index]?.term ?? -1;
  }

  command(index: number): Command {
    const e = this.entries[index];
    if (!e || index === 0) throw new RangeError(`no log entry at ${index}`);
    return e.command;
  }

  push(entry: Entry): number {
    this.entries.push(entry);
    return this.lastIndex;
  }

  truncateFrom(index: number): void {
    this.entries.length = Math.max(1, index);
  }

  /** Entries from..to inclusive. */
  slice(from: number, to: number): Entry[] {
    return this.entries.slice(from, to + 1);
  }

  /** The first index holding the same term as `index` (for fast backtracking). */
  firstIndexOfTerm(index: number): number {
    const term = this.termAt(index);
    let i = index;
    while (i > 1 && this.termAt(i - 1) === term) i--;
    return i;
  }
}
