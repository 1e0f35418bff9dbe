/**
 * Jepsen log lines as in Porcupine's etcd data (Jepsen 2014/15 `jepsen.util` lines):
 *   INFO  jepsen.util - 3	:ok	:read	2
 * Fields are separated by tabs or runs of spaces; the value is EDN (nil, an integer, [from to]).
 * Lines without `jepsen.util` are skipped (and counted in the notes). A completion whose value is
 * a keyword such as `:timed-out` records it as the error and keeps the invocation's value, so
 * `:info :write :timed-out` stays an indeterminate write and `:fail :read :timed-out` a read that
 * did not complete. Times are synthesized from line order.
 */
import { InputError } from '../../core/errors.ts';
import type { Op, OpType, ProcessId } from '../../core/op.ts';
import { EdnReader, type EdnValue } from './edn.ts';
import { OpBuilder, type ImportedOp } from './op-builder.ts';

const LINE = /jepsen\.util\s*[-:]\s+(:nemesis|\d+)\s+:(invoke|ok|fail|info)\s+:?([^\s]+)\s*(.*)$/;

/** True when the text looks like Jepsen log lines. */
export function looksLikeJepsenLog(text: string): boolean {
  return /jepsen\.util\s*[-:]\s+(:nemesis|\d+)\s+:(invoke|ok|fail|info)\s/.test(text.slice(0, 4096));
}

function parseValue(text: string, file: string | undefined, line: number, column: number): EdnValue {
  if (text === '') return null;
  try {
    const r = new EdnReader(text, file);
    const v = r.read();
    if (r.skipSpace()) r.fail('unexpected text after the value');
    return v;
  } catch (e) {
    const where: { file?: string; line: number } = { line };
    if (file !== undefined) where.file = file;
    const reason = e instanceof InputError ? e.message.replace(/^.*column \d+: /, '') : String(e);
    throw new InputError(`column ${column}: bad value ${JSON.stringify(text)}: ${reason}`, where);
  }
}

export function parseJepsenLog(text: string, file?: string): { history: Op[]; notes: string[] } {
  const b = new OpBuilder(file);
  const open = new Map<ProcessId, Op>();
  let skipped = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    if (!raw.includes('jepsen.util')) {
      skipped++;
      continue;
    }
    const m = LINE.exec(raw);
    if (!m) {
      const where: { file?: string; line: number } = { line: i + 1 };
      if (file !== undefined) where.file = file;
      const col = raw.indexOf('jepsen.util') + 1;
      throw new InputError(`column ${col}: expected "jepsen.util - <process> :<type> :<f> <value>"`, where);
    }
    const process: ProcessId = m[1] === ':nemesis' ? 'nemesis' : Number(m[1]);
    const type = m[2] as OpType;
    const f = m[3]!;
    const valueText = m[4]!.trim();
    let value: unknown = parseValue(valueText, file, i + 1, raw.length - m[4]!.length + 1);
    let error: unknown;
    const inv = open.get(process);
    if (type !== 'invoke' && valueText.startsWith(':')) {
      error = value;
      value = inv?.value ?? null;
    }
    const rec: ImportedOp = { process, type, f, value };
    if (error !== undefined) rec.error = error;
    const op = b.add(rec);
    if (type === 'invoke') open.set(process, op);
    else open.delete(process);
  }
  const notes = b.finish();
  if (skipped > 0) notes.push(`${skipped} lines without jepsen.util ops were skipped`);
  return { history: b.ops, notes };
}
