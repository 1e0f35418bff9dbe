/**
 * `faultline check` on our JSONL history in one pass: the file is read chunk by chunk, each op
 * validated and fed to the checkers as it comes (checkers/online.ts), so the history is never
 * held whole unless a checker that cannot check incrementally needs it. Used when the format is
 * ours and the checkers are named on the command line (nothing has to be inferred from the data).
 */
import type { CheckContext, Checker } from '../core/checker.ts';
import { HistoryError, InputError } from '../core/errors.ts';
import { detectFormat, isPipe, readHead } from '../history/importers/index.ts';
import { scanHistoryFile } from '../history/reader.ts';
import { HistoryValidator } from '../history/validate.ts';
import { beginChecks } from '../../checkers/online.ts';
import type { ComposedResult } from '../../checkers/compose.ts';

export interface OnePassCheck {
  result: ComposedResult;
  events: number;
  notes: string[];
}

/** True when the file holds our JSONL format and can be read in one pass (a pipe is read whole instead). */
export async function isJsonlHistory(file: string): Promise<boolean> {
  if (await isPipe(file)) return false;
  return detectFormat(await readHead(file), file) === 'jsonl';
}

/** Reads, validates and checks a JSONL history in one pass; a malformed op is a HistoryError. */
export async function checkInOnePass(file: string, checkers: readonly Checker[], ctx: CheckContext): Promise<OnePassCheck> {
  const session = beginChecks(checkers, ctx);
  const validator = new HistoryValidator();
  const { events, tornLastLine } = await scanHistoryFile(file, (ops) => {
    for (const op of ops) {
      const problems = validator.check(op);
      if (problems.length > 0) throw new HistoryError(problems.join('; '), op.index);
      session.feed(op);
    }
  });
  if (events === 0) throw new InputError('the history is empty', { file });
  const result = await session.finish();
  return { result, events, notes: tornLastLine ? ['the last line was cut off mid-write and was dropped'] : [] };
}
