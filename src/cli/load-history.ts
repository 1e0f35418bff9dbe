/**
 * Loads a history for `faultline check`, whatever tool wrote it: Elle's JSON (detected here) or
 * anything the history importers read (our JSONL, Jepsen/Knossos EDN, Jepsen log lines, Porcupine
 * kv logs). Says which checker and model fit the data when the user did not.
 */
import type { Op } from '../core/op.ts';
import { InputError } from '../core/errors.ts';
import { loadHistory, readHead, type ModelHint } from '../history/importers/index.ts';
import { isElleJson, loadElleHistory } from '../../checkers/elle/index.ts';

export interface HistoryForCheck {
  history: Op[];
  format: string;
  notes: string[];
  /** The checker the data implies: list-append / rw-register for Elle JSON, else linearizable. */
  checkerHint: string | undefined;
  model: ModelHint | undefined;
}

function isTxnHistory(history: readonly Op[]): boolean {
  return history.some((op) => op.f === 'txn');
}

function usesAppend(history: readonly Op[]): boolean {
  return history.some((op) => Array.isArray(op.value) && op.value.some((m) => Array.isArray(m) && m[0] === 'append'));
}

export async function loadHistoryForCheck(path: string): Promise<HistoryForCheck> {
  let loaded: HistoryForCheck;
  if (isElleJson(await readHead(path))) {
    const history = await loadElleHistory(path);
    loaded = { history, format: 'elle-json', notes: [], checkerHint: usesAppend(history) ? 'list-append' : 'rw-register', model: undefined };
  } else {
    const l = await loadHistory(path);
    const txn = isTxnHistory(l.history);
    const checkerHint = txn ? (usesAppend(l.history) ? 'list-append' : 'rw-register') : l.model ? 'linearizable' : undefined;
    loaded = { history: l.history, format: l.format, notes: l.notes, checkerHint, model: txn ? undefined : l.model };
  }
  if (loaded.history.length === 0) throw new InputError('the history is empty', { file: path });
  return loaded;
}
