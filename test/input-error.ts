/** Test helper for the importers: the InputError a call throws, so a test can read its location. */
import { InputError } from '../src/core/errors.ts';

export function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}
