/**
 * The few error classes Faultline throws on purpose. Each has a stable `code`; the CLI prints the
 * message on one line (no stack trace) and exits 254 for UsageError / InputError.
 */

export class FaultlineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad command-line usage or configuration: unknown checker, bad option value, missing root. */
export class UsageError extends FaultlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_USAGE', message, options);
  }
}

/** Unreadable or malformed input: names the file, and the line / column / op index at fault. */
export class InputError extends FaultlineError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, where: { file?: string; line?: number } = {}, options?: { cause?: unknown }) {
    const prefix = where.file ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
    super('E_INPUT', prefix + message, options);
    this.file = where.file;
    this.line = where.line;
  }
}

/** A history that breaks the op model (completion without invocation, mismatched f, ...). */
export class HistoryError extends FaultlineError {
  readonly opIndex: number | undefined;
  constructor(message: string, opIndex?: number) {
    super('E_HISTORY', opIndex !== undefined ? `op ${opIndex}: ${message}` : message);
    this.opIndex = opIndex;
  }
}

/** Errors the user caused (exit 254) as opposed to bugs (exit 255). */
export function isUserError(e: unknown): e is FaultlineError {
  return e instanceof UsageError || e instanceof InputError || e instanceof HistoryError;
}
