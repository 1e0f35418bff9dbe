/**
 * Loads a history file of any supported format, detected from its content. Our JSONL is read
 * here; the other formats come from the importers.
 */
import type { Op } from '../core/op.ts';
import { InputError } from '../core/errors.ts';
import { readHistoryFile } from './reader.ts';

export interface LoadedHistory {
  history: Op[];
  format: string;
  /** Remarks for the user (torn last line dropped, synthesized times, ...). */
  notes: string[];
  /** The model the format implies, when it does (e.g. Porcupine kv logs → kv). */
  modelHint?: string;
  /** The checker the format implies, when it does (e.g. Elle JSON → list-append). */
  checkerHint?: string;
}

export async function loadHistory(path: string): Promise<LoadedHistory> {
  const { history, tornLastLine } = await readHistoryFile(path);
  if (history.length === 0) throw new InputError('the history is empty', { file: path });
  return { history, format: 'faultline-jsonl', notes: tornLastLine ? ['the last line was torn (cut off mid-write) and was dropped'] : [] };
}
