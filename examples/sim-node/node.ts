/**
 * Example node logic for `faultline sim`: a primary-backup key-value store, written against
 * Faultline's runtime (messages, timers, durable log) and nothing else, so the simulator can run
 * it under every fault it knows. See docs/simulation.md.
 *
 * The lowest node id is the primary, for good. It serves every request: it appends each write to
 * its log, and once the log is durable applies it and answers, so a crash never loses an
 * acknowledged write. Reads are answered from the applied state. The other nodes are backups:
 * they answer `not-leader` naming the primary, and copy its log (the primary pushes new entries
 * and, every heartbeat, its log length, so a backup that missed entries asks for them again).
 * A primary that is down or cut off makes the store unavailable, never wrong.
 *
 * Bug flags, for seeing the simulator catch them:
 *   ack-before-fsync  the primary applies and answers before its log is durable: a crash loses
 *                     acknowledged writes
 *   backup-reads      backups answer reads from their copy, which lags: stale reads
 */
import { errorReply, isReadOnly, KvState, type Runtime, type StoreNode, type StoreReply, type StoreRequest, type StoreStatus, type TimerHandle } from '../../src/index.ts';

export const BUGS = ['ack-before-fsync', 'backup-reads'] as const;

type Message =
  | { type: 'entries'; from: number; entries: StoreRequest[] }
  | { type: 'length'; length: number }
  | { type: 'ask'; from: number };

const HEARTBEAT_MS = 100;

export class PrimaryBackupNode implements StoreNode<Message> {
  readonly #rt: Runtime<Message>;
  readonly #bugs: ReadonlySet<string>;
  readonly #primary: string;
  readonly #kv = new KvState();
  /** The log: every write the primary accepted, in order (index 0 first). */
  readonly #log: StoreRequest[] = [];
  /** Entries applied to #kv (the primary: durable ones; a backup: what it copied). */
  #applied = 0;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(rt: Runtime<Message>, bugs: ReadonlySet<string>) {
    this.#rt = rt;
    this.#bugs = bugs;
    this.#primary = [rt.self, ...rt.peers].sort()[0]!;
  }

  get #isPrimary(): boolean {
    return this.#rt.self === this.#primary;
  }

  start(): void {
    // Whatever survived on disk is the log as it was last made durable: apply all of it.
    for (const record of this.#rt.storage.load().log) this.#log.push(record.command as StoreRequest);
    while (this.#applied < this.#log.length) this.#kv.apply(this.#log[this.#applied++]!);
    this.#rt.log(`started with ${this.#log.length} entries${this.#isPrimary ? ' as primary' : ''}`);
    if (this.#isPrimary) this.#heartbeat();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#rt.clearTimer(this.#timer);
  }

  status(): StoreStatus {
    return { node: this.#rt.self, store: 'primary-backup', role: this.#isPrimary ? 'leader' : 'follower', term: 0, leader: this.#primary, bugs: [...this.#bugs], applied: this.#applied };
  }

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.#stopped) return done(errorReply('unavailable', 'node stopped'));
    if (!this.#isPrimary) {
      if (isReadOnly(req) && this.#bugs.has('backup-reads')) return done(this.#kv.apply(req));
      return done(errorReply('not-leader', `${this.#rt.self} is a backup`, { leader: { id: this.#primary } }));
    }
    if (isReadOnly(req)) return done(this.#kv.apply(req));
    const index = this.#log.length;
    this.#log.push(req);
    this.#rt.storage.append([{ term: 0, command: req }]);
    const apply = (): void => {
      // Flushes complete in order, so entries before this one are applied already.
      if (this.#applied !== index) return;
      this.#applied++;
      done(this.#kv.apply(req));
      for (const peer of this.#rt.peers) this.#rt.send(peer, { type: 'entries', from: index, entries: [req] });
    };
    if (this.#bugs.has('ack-before-fsync')) {
      this.#rt.storage.flush(() => {});
      apply();
    } else {
      this.#rt.storage.flush(apply);
    }
  }

  receive(from: string, msg: Message): void {
    if (this.#stopped) return;
    if (msg.type === 'ask' && this.#isPrimary) {
      this.#rt.send(from, { type: 'entries', from: msg.from, entries: this.#log.slice(msg.from, this.#applied) });
    } else if (msg.type === 'length' && !this.#isPrimary && msg.length > this.#applied) {
      this.#rt.send(from, { type: 'ask', from: this.#applied });
    } else if (msg.type === 'entries' && !this.#isPrimary && msg.from <= this.#applied) {
      // Messages may come late, twice or out of order: take only what extends our copy.
      for (let i = this.#applied - msg.from; i < msg.entries.length; i++) {
        const req = msg.entries[i]!;
        this.#log.push(req);
        this.#rt.storage.append([{ term: 0, command: req }]);
        this.#kv.apply(req);
        this.#applied++;
      }
      this.#rt.storage.flush(() => {});
    }
  }

  #heartbeat(): void {
    for (const peer of this.#rt.peers) this.#rt.send(peer, { type: 'length', length: this.#applied });
    this.#timer = this.#rt.setTimer(HEARTBEAT_MS, () => this.#heartbeat());
  }
}
