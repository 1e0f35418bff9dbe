/**
 * Builds well-formed histories by hand for checker tests: each event gets the next index and a
 * time 1 ms after the previous one (or later, with `wait`). A completion repeats the f of its
 * process's open invocation, and its value defaults to the invoked value.
 */
import type { CompletionType, History, Op, ProcessId } from '../core/op.ts';

const MS = 1_000_000;

export class HistoryBuilder {
  private readonly ops: Op[] = [];
  private readonly open = new Map<ProcessId, Op>();
  private now = 0;

  /** Moves the clock on by `ms` milliseconds before the next event. */
  wait(ms: number): this {
    this.now += ms * MS;
    return this;
  }

  invoke(process: ProcessId, f: string, value: unknown = null, extra: Partial<Op> = {}): this {
    const op = this.push({ process, type: 'invoke', f, value, ...extra });
    this.open.set(process, op);
    return this;
  }

  ok(process: ProcessId, value?: unknown, extra: Partial<Op> = {}): this {
    return this.complete('ok', process, value, extra);
  }

  fail(process: ProcessId, value?: unknown, extra: Partial<Op> = {}): this {
    return this.complete('fail', process, value, extra);
  }

  info(process: ProcessId, value?: unknown, extra: Partial<Op> = {}): this {
    return this.complete('info', process, value, extra);
  }

  /** An invocation immediately followed by its completion. */
  op(process: ProcessId, f: string, value: unknown, type: CompletionType = 'ok', result?: unknown, extra: Partial<Op> = {}): this {
    return this.invoke(process, f, value, extra).complete(type, process, result, extra);
  }

  /** A nemesis op that completes ok right away. */
  nemesis(f: string, value: unknown = null, type: CompletionType = 'ok'): this {
    return this.op('nemesis', f, value, type);
  }

  build(): History {
    return this.ops.slice();
  }

  private complete(type: CompletionType, process: ProcessId, value: unknown, extra: Partial<Op>): this {
    const inv = this.open.get(process);
    if (!inv) throw new Error(`HistoryBuilder: process ${String(process)} has no open invocation`);
    this.open.delete(process);
    this.push({ process, type, f: inv.f, value: value === undefined ? inv.value : value, ...extra });
    return this;
  }

  private push(fields: Omit<Op, 'index' | 'time'>): Op {
    this.now += MS;
    const op = { index: this.ops.length, time: this.now, ...fields } as Op;
    this.ops.push(op);
    return op;
  }
}
