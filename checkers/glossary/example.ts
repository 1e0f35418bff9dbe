/**
 * The smallest histories of the glossary: written compactly, turned into real histories (the
 * glossary test runs the named checker on each and expects the anomaly), and shown as text.
 */
import type { CompletionType, History, Op } from '../../src/core/op.ts';

/** One event of an example: an invocation or a completion of process `p`. */
export interface ExampleEvent {
  p: number;
  type: 'invoke' | CompletionType;
  f: string;
  value: unknown;
  node?: string;
}

export interface Example {
  /** The checker (a `--checker` name) that finds the anomaly in `events`. */
  checker: string;
  /** Its options: `model` for linearizable, `consistencyModels` for Elle's checkers, `--opt` settings for the others. */
  model?: string;
  consistencyModels?: readonly string[];
  options?: Readonly<Record<string, string>>;
  events: readonly ExampleEvent[];
}

/** An op invoked and completed at once: `op(0, 'write', 1)`, `op(1, 'read', null, 'ok', 1)`. */
export function op(p: number, f: string, value: unknown, type: CompletionType = 'ok', result: unknown = value, node?: string): ExampleEvent[] {
  const at = node === undefined ? {} : { node };
  return [
    { p, type: 'invoke', f, value, ...at },
    { p, type, f, value: result, ...at },
  ];
}

export function invoke(p: number, f: string, value: unknown): ExampleEvent {
  return { p, type: 'invoke', f, value };
}

export function complete(p: number, f: string, type: CompletionType, value: unknown): ExampleEvent {
  return { p, type, f, value };
}

/** The example as a history: one event per millisecond. */
export function exampleHistory(e: Example): History {
  return e.events.map((ev, index) => {
    const o: Op = { index, time: (index + 1) * 1_000_000, process: ev.p, type: ev.type, f: ev.f, value: ev.value };
    if (ev.node !== undefined) o.node = ev.node;
    return o;
  });
}

/** A value in Jepsen's style: `nil`, `[append x 1]`, `{x [1], y []}`. */
export function showExampleValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(showExampleValue).join(' ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k} ${showExampleValue(x)}`).join(', ')}}`;
  return String(v);
}

/**
 * The example in words, one line per op when ops run one after another ("p0 write 1 → ok"),
 * else one line per event ("p0 invokes write 1", "p0 → ok"), so overlaps stay visible.
 */
export function exampleLines(e: Example): string[] {
  const ev = e.events;
  const sequential = ev.every((x, i) => (i % 2 === 0 ? x.type === 'invoke' : x.type !== 'invoke' && x.p === ev[i - 1]!.p));
  const at = (x: ExampleEvent): string => (x.node ? ` on ${x.node}` : '');
  const inv = (x: ExampleEvent): string => `p${x.p} ${x.f}${x.value === null ? '' : ` ${showExampleValue(x.value)}`}`;
  const end = (x: ExampleEvent, invoked: unknown): string =>
    `${x.type}${x.type === 'ok' && JSON.stringify(x.value) !== JSON.stringify(invoked) ? ` ${showExampleValue(x.value)}` : ''}`;
  if (sequential) {
    const lines: string[] = [];
    for (let i = 0; i < ev.length; i += 2) lines.push(`${inv(ev[i]!)} → ${end(ev[i + 1]!, ev[i]!.value)}${at(ev[i]!)}`);
    return lines;
  }
  const open = new Map<number, ExampleEvent>();
  return ev.map((x) => {
    if (x.type === 'invoke') {
      open.set(x.p, x);
      return `${inv(x)} …${at(x)}`;
    }
    const i = open.get(x.p);
    open.delete(x.p);
    return `… p${x.p} ${x.f} → ${end(x, i?.value)}`;
  });
}
