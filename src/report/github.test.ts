// --github output: error annotations for invalid checkers, warnings for unknown ones, nothing for
// valid runs; workflow-command escaping; the Markdown job summary.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, githubAnnotations, githubStepSummary, reportToGithub } from './github.ts';

const invalid = {
  valid: false,
  checkers: {
    linearizable: { valid: false, anomalyTypes: ['nonlinearizable'], anomalies: [{ op: { index: 12, process: 1, type: 'ok', f: 'read', value: 3 }, reason: "can't read 3\nfrom register 4" }] },
    elle: { valid: 'unknown', error: 'cycle search ran out of budget' },
    perf: { valid: true },
  },
};

describe('github annotations', () => {
  it('escapes workflow command data and properties', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a: b, c')).toBe('a%3A b%2C c');
  });

  it('gives one error per invalid checker and one warning per unknown one, pointing at the run', () => {
    const lines = githubAnnotations({ name: 'reg', results: invalid, runDir: '/r/reg/1', replay: 'faultline test --seed 7' });
    expect(lines).toHaveLength(2);
    const [error, warning] = lines as [string, string];
    expect(error.startsWith('::error file=/r/reg/1/results.json,title=reg%3A linearizable INVALID::')).toBe(true);
    expect(error).toContain('nonlinearizable (1)');
    expect(error).toContain("can't read 3%0Afrom register 4");
    expect(error).toContain('Replay: faultline test --seed 7');
    expect(error).toContain('Report: /r/reg/1/report.html');
    expect(error.includes('\n')).toBe(false);
    expect(warning.startsWith('::warning ')).toBe(true);
    expect(warning).toContain('cycle search ran out of budget');
  });

  it('says nothing for a valid run, and still flags an invalid run without per-checker results', () => {
    expect(githubAnnotations({ name: 'ok', results: { valid: true, checkers: { perf: { valid: true } } } })).toEqual([]);
    expect(githubAnnotations({ name: 'bad', results: { valid: 'unknown', error: 'history is not well formed' } })).toEqual(['::warning title=bad%3A UNKNOWN::history is not well formed']);
  });

  it('prints the annotations and appends a Markdown summary when GITHUB_STEP_SUMMARY is set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-gh-'));
    try {
      const out = new PassThrough();
      let printed = '';
      out.on('data', (c: Buffer) => (printed += c.toString()));
      const file = join(dir, 'summary.md');
      reportToGithub({ name: 'reg', results: invalid }, out, { GITHUB_STEP_SUMMARY: file });
      expect(printed.trim().split('\n')).toHaveLength(2);
      const md = readFileSync(file, 'utf8');
      expect(md).toBe(githubStepSummary({ name: 'reg', results: invalid }) + '\n');
      expect(md).toContain('| linearizable | INVALID | nonlinearizable (1) |');
      expect(md).toContain('| elle | UNKNOWN | cycle search ran out of budget |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
