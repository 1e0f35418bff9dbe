// Shell quoting, checked against a real POSIX shell: any argv (without NUL) survives the trip
// through `sh -c` unchanged, including quotes, spaces, globs, `$`, newlines and empty strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { run } from './run.ts';
import { envWords, shellJoin, shellQuote } from './quote.ts';

async function roundTrip(args: string[]): Promise<string[]> {
  const r = await run(['sh', '-c', shellJoin(['printf', '%s\\0', ...args])]);
  return r.stdout.split('\0').slice(0, -1);
}

describe('shellQuote / shellJoin', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('abc-1.2/x')).toBe('abc-1.2/x');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('any argv survives sh -c exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }), async (args) => {
        expect(await roundTrip(args)).toEqual(args);
      }),
      { numRuns: 40 },
    );
  });

  it('awkward arguments survive', async () => {
    const args = ["'", '"', '$(touch /tmp/never)', '`x`', '*', '~', 'a b', '\n', '\\', '!', '-n', ''];
    expect(await roundTrip(args)).toEqual(args);
  });

  it('envWords rejects names a shell would misread', () => {
    expect(envWords({ A_1: 'x y' })).toEqual(['A_1=x y']);
    expect(() => envWords({ 'A-B': 'x' })).toThrow(/bad environment variable name/);
    expect(() => envWords({ '1A': 'x' })).toThrow(/bad environment variable name/);
  });
});
