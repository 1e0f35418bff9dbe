/**
 * Elle's JSON histories (as elle-cli and Jepsen's JSON export write them): one JSON array of op
 * objects, `{index?, time?, process, type, f?, value}`, with keywords as strings ("ok", "append",
 * ":nemesis"). Each op is read as jepsen-op.ts describes, so a history reads the same whether
 * Elle wrote it as EDN or as JSON.
 */
import { InputError } from '../../core/errors.ts';
import type { Op } from '../../core/op.ts';
import { JepsenOpImporter } from './jepsen-op.ts';

/** True when the text starts like an Elle JSON history: a JSON array whose first element is an object with a string key. */
export function looksLikeElleJson(head: string): boolean {
  return /^\[\s*(\]|\{\s*")/.test(head);
}

/** Converts parsed Elle JSON (an array of op objects) to ops and import notes; `file` names the source in errors. */
export function elleOpsFromJson(data: unknown, file?: string): { history: Op[]; notes: string[] } {
  const where = file === undefined ? {} : { file };
  if (!Array.isArray(data)) throw new InputError('an Elle history must be a JSON array of ops', where);
  const importer = new JepsenOpImporter(file);
  data.forEach((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(`op ${i} must be an object, got ${JSON.stringify(raw)}`, where);
    }
    importer.add(raw as Record<string, unknown>);
  });
  return importer.finish();
}

/** Parses the text of an Elle JSON history. */
export function parseElleJson(text: string, file?: string): { history: Op[]; notes: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, file === undefined ? {} : { file }, { cause: e });
  }
  return elleOpsFromJson(data, file);
}
