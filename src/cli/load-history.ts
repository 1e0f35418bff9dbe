/**
 * Loads a history for `faultline check`, whatever tool wrote it (our JSONL, Jepsen/Knossos/Elle
 * EDN, Elle JSON, Jepsen log lines, Porcupine kv logs), and says which checker and model fit the
 * data when the user did not: Elle's transactions go to their Elle checker, everything with a
 * model (Knossos' multi-register txns included) to the linearizable checker.
 */
import type { Op } from '../core/op.ts';
import { InputError } from '../core/errors.ts';
import { loadHistory, type ModelHint } from '../history/importers/index.ts';

export interface HistoryForCheck {
  history: Op[];
  format: string;
  notes: string[];
  /** The checker the data implies: list-append / rw-register for Elle's transactions, else linearizable. */
  checkerHint: string | undefined;
  model: ModelHint | undefined;
}

export async function loadHistoryForCheck(path: string): Promise<HistoryForCheck> {
  const l = await loadHistory(path);
  if (l.history.length === 0) throw new InputError('the history is empty', { file: path });
  const elle = l.txn === 'list-append' || l.txn === 'rw-register';
  const checkerHint = elle ? l.txn : l.model ? 'linearizable' : undefined;
  return { history: l.history, format: l.format, notes: l.notes, checkerHint, model: l.model };
}
