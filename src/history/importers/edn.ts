/**
 * A small EDN reader for Jepsen / Knossos histories.
 *
 * Values map to JSON-friendly data: nil → null, keywords and symbols → strings without the
 * colon, vectors / lists / sets → arrays, maps → plain objects (non-string keys are written as
 * their JSON text), tagged values (`#jepsen.history.Op{...}`, `#inst "..."`) → the tagged value.
 * Commas are whitespace; `;` comments and `#_` discards are skipped. Errors are InputErrors that
 * name the file, line and column.
 */
import { InputError } from '../../core/errors.ts';

export type EdnValue = null | boolean | number | string | EdnValue[] | { [key: string]: EdnValue };

const DELIMITERS = new Set('()[]{}"; ,\t\r\n');

export class EdnReader {
  private readonly text: string;
  private readonly file: string | undefined;
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(text: string, file?: string) {
    this.text = text;
    this.file = file;
  }

  /** The 1-based line of the current position. */
  get currentLine(): number {
    return this.line;
  }

  /** Throws an InputError pointing at the current position. */
  fail(message: string): never {
    const column = this.pos - this.lineStart + 1;
    const where: { file?: string; line?: number } = { line: this.line };
    if (this.file !== undefined) where.file = this.file;
    throw new InputError(`${this.file === undefined ? `line ${this.line}, ` : ''}column ${column}: ${message}`, where);
  }

  /** Skips whitespace, commas, comments and discarded forms; true when input remains. */
  skipSpace(): boolean {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length) {
        const c = t.charCodeAt(this.pos);
        if (c === 10) {
          this.pos++;
          this.line++;
          this.lineStart = this.pos;
        } else if (c === 32 || c === 44 || c === 9 || c === 13) {
          this.pos++;
        } else if (c === 59) {
          while (this.pos < t.length && t.charCodeAt(this.pos) !== 10) this.pos++;
        } else {
          break;
        }
      }
      if (t.startsWith('#_', this.pos)) {
        this.pos += 2;
        this.read();
        continue;
      }
      return this.pos < t.length;
    }
  }

  /** The next character without consuming it ('' at the end). */
  peek(): string {
    return this.text.charAt(this.pos);
  }

  /** Consumes one expected character. */
  expect(ch: string): void {
    if (!this.skipSpace() || this.text[this.pos] !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  /** Reads one value; fails at the end of input. */
  read(): EdnValue {
    if (!this.skipSpace()) this.fail('unexpected end of input');
    const t = this.text;
    const c = t[this.pos]!;
    switch (c) {
      case '[':
      case '(':
        this.pos++;
        return this.readSeq(c === '[' ? ']' : ')');
      case '{':
        this.pos++;
        return this.readMap();
      case '"':
        return this.readString();
      case ']':
      case ')':
      case '}':
        return this.fail(`unexpected ${JSON.stringify(c)}`);
      case '#':
        return this.readDispatch();
      case '\\':
        return this.readChar();
      default:
        return this.readAtom();
    }
  }

  private readSeq(close: string): EdnValue[] {
    const out: EdnValue[] = [];
    for (;;) {
      if (!this.skipSpace()) this.fail(`unterminated collection: expected ${JSON.stringify(close)}`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.read());
    }
  }

  private readMap(): { [key: string]: EdnValue } {
    const out: { [key: string]: EdnValue } = {};
    for (;;) {
      if (!this.skipSpace()) this.fail('unterminated map: expected "}"');
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const k = this.read();
      if (!this.skipSpace() || this.text[this.pos] === '}') this.fail('map has a key without a value');
      const v = this.read();
      out[typeof k === 'string' ? k : JSON.stringify(k)] = v;
    }
  }

  private readString(): string {
    const t = this.text;
    let out = '';
    let start = ++this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        out += t.slice(start, this.pos++);
        return out;
      }
      if (c === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      if (c === 92) {
        out += t.slice(start, this.pos);
        const e = t[this.pos + 1];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.pos += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else {
          this.fail(`bad escape in string: \\${e ?? ''}`);
        }
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private readDispatch(): EdnValue {
    const next = this.text[this.pos + 1];
    if (next === '{') {
      this.pos += 2;
      return this.readSeq('}');
    }
    if (next === undefined || DELIMITERS.has(next)) this.fail('bad "#" dispatch');
    // A tagged literal: #tag value. The tag is dropped and the value kept.
    this.pos++;
    this.readToken();
    return this.read();
  }

  private readChar(): string {
    this.pos++;
    const token = this.readToken();
    const named: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r' };
    if (token.length === 1) return token;
    if (named[token] !== undefined) return named[token];
    if (token === '') {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('bad character literal');
      this.pos++;
      return c;
    }
    return this.fail(`bad character literal \\${token}`);
  }

  private readToken(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !DELIMITERS.has(t[this.pos]!)) this.pos++;
    return t.slice(start, this.pos);
  }

  private readAtom(): EdnValue {
    const startPos = this.pos;
    const token = this.readToken();
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    const c = token.charCodeAt(0);
    if (c === 58) {
      if (token.length === 1) this.fail('empty keyword');
      return token.slice(1);
    }
    const isDigit = (x: number): boolean => x >= 48 && x <= 57;
    if (isDigit(c) || ((c === 45 || c === 43) && isDigit(token.charCodeAt(1)))) {
      const num = /^[+-]?\d+N?$/.test(token)
        ? Number(token.replace(/N$/, ''))
        : /^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?M?$/.test(token)
          ? Number(token.replace(/M$/, ''))
          : /^[+-]?\d+\/\d+$/.test(token)
            ? Number(token.split('/')[0]) / Number(token.split('/')[1])
            : NaN;
      if (Number.isNaN(num)) {
        this.pos = startPos;
        this.fail(`bad number ${JSON.stringify(token)}`);
      }
      return num;
    }
    return token;
  }
}

/** Parses a whole EDN text holding exactly one value. */
export function parseEdn(text: string, file?: string): EdnValue {
  const r = new EdnReader(text, file);
  const v = r.read();
  if (r.skipSpace()) r.fail('unexpected text after the value');
  return v;
}
