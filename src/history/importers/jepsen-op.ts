/**
 * Jepsen op maps, from EDN or from Elle's JSON, read the way Elle, Knossos and jepsen.history read
 * them: keywords and strings alike (`:ok`, "ok" and ":ok" are one type), `:process :nemesis` for
 * the fault injector, a missing `:value` is nil, a missing `:f` is a transaction ("txn": Elle
 * never looks at `:f`), a missing or negative `:time` is unknown, and `:index` values that are not
 * 0, 1, 2, ... are kept as `sourceIndex` (see op-builder.ts). Ops without a `:process` (Elle's
 * own example histories) pair up in file order, as jepsen.history pairs a nil process: an
 * invocation with the next completion; a completion with no invocation open gets one just before
 * it. Each such op gets a process of its own, so it orders only by real time. Other keys stay on
 * the op.
 */
import { InputError } from '../../core/errors.ts';
import { OP_TYPES, type Op, type OpType, type ProcessId } from '../../core/op.ts';
import { OpBuilder, type ImportedOp } from './op-builder.ts';

const TYPES = new Set<string>(OP_TYPES);
/** Processes given to ops without one: far above any a real history uses. */
const SESSIONLESS_BASE = 1_000_000_000;
const KNOWN_KEYS = new Set(['process', 'type', 'f', 'value', 'time', 'index', 'error', 'node']);

/** A keyword written as a string: JSON histories spell `:ok` as "ok" or ":ok". */
function bare(x: unknown): unknown {
  return typeof x === 'string' && x.startsWith(':') ? x.slice(1) : x;
}

export interface OpMapOptions {
  /** The line the op starts on, for errors. */
  line?: number;
  /** Keys read by the caller, not kept on the op. */
  consumed?: ReadonlySet<string>;
  /** Replaces the op's value (e.g. Porcupine's kv logs make it [key, value]). */
  value?: unknown;
}

export class JepsenOpImporter {
  private readonly builder: OpBuilder;
  private readonly file: string | undefined;
  private withoutF = 0;
  private sessionless = 0;
  /** The process of the open invocation without a `:process`, if one is open. */
  private openSessionless: number | undefined;

  constructor(file?: string) {
    this.file = file;
    this.builder = new OpBuilder(file);
  }

  /** Adds the op map `m`; an InputError names the op (and its line) when a field is unusable. */
  add(m: Readonly<Record<string, unknown>>, opts: OpMapOptions = {}): Op {
    const bad = (msg: string): never => {
      const where = { ...(this.file !== undefined ? { file: this.file } : {}), ...(opts.line !== undefined ? { line: opts.line } : {}) };
      throw new InputError(`op ${this.builder.ops.length} ${msg}`, where);
    };
    const type = bare(m['type']);
    if (typeof type !== 'string' || !TYPES.has(type)) return bad(`has no valid :type (got ${JSON.stringify(type ?? null)}; expected :invoke, :ok, :fail or :info)`);
    const p = bare(m['process']);
    let process: ProcessId;
    let sessionless = false;
    if (p === 'nemesis') process = 'nemesis';
    else if (typeof p === 'number' && Number.isInteger(p) && p >= 0) process = p;
    else if (p === undefined || p === null) {
      if (type === 'invoke') {
        if (this.openSessionless !== undefined) return bad('is a second invocation without :process before the first completed');
        process = this.openSessionless = SESSIONLESS_BASE + this.sessionless++;
      } else if (this.openSessionless !== undefined) {
        process = this.openSessionless;
        this.openSessionless = undefined;
      } else {
        process = SESSIONLESS_BASE + this.sessionless++;
        sessionless = true;
      }
    } else return bad(`has no valid :process (got ${JSON.stringify(p ?? null)}; expected an integer or :nemesis)`);
    const f = bare(m['f']) ?? undefined;
    if (f !== undefined && typeof f !== 'string' && typeof f !== 'number') return bad(`has :f ${JSON.stringify(f)}; expected a keyword, string or number`);
    if (f === undefined) this.withoutF++;
    const rec: ImportedOp = {
      process,
      type: type as OpType,
      f: f === undefined ? 'txn' : String(f),
      value: 'value' in opts ? opts.value : (m['value'] ?? null),
    };
    const index = m['index'];
    if (index !== undefined && index !== null) {
      if (typeof index !== 'number' || !Number.isInteger(index)) return bad(`has :index ${JSON.stringify(index)}; expected an integer`);
      rec.index = index;
    }
    const time = m['time'];
    if (typeof time === 'number' && Number.isFinite(time) && time >= 0) rec.time = time;
    if (m['error'] !== undefined) rec.error = m['error'];
    if (typeof m['node'] === 'string') rec.node = m['node'];
    if (opts.line !== undefined) rec.line = opts.line;
    const extra: Record<string, unknown> = {};
    for (const k of Object.keys(m)) {
      if (!KNOWN_KEYS.has(k) && !opts.consumed?.has(k)) extra[k] = m[k];
    }
    rec.extra = extra;
    if (sessionless) {
      const { index: _i, error: _e, ...invocation } = rec;
      this.builder.add({ ...invocation, type: 'invoke' });
    }
    return this.builder.add(rec);
  }

  /** The ops, and notes on what was filled in or adjusted. */
  finish(): { history: Op[]; notes: string[] } {
    const notes = this.builder.finish();
    if (this.withoutF > 0) notes.push(`${this.withoutF} ops have no :f: read as transactions (f "txn"), as Elle reads them`);
    if (this.sessionless > 0) notes.push(`${this.sessionless} ops have no :process: each is a session of its own, paired in file order`);
    return { history: this.builder.ops, notes };
  }
}
