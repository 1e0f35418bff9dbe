// A recording process killed with SIGKILL mid-run leaves a history the reader accepts.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHistoryFile } from '../src/history/reader.ts';
import { validateHistory } from '../src/history/validate.ts';

const child = `
import { HistoryRecorder } from './src/history/recorder.ts';
const rec = await HistoryRecorder.open(process.env.HISTORY_PATH);
let i = 0;
function burst() {
  for (let k = 0; k < 200; k++) {
    rec.append({ index: i, time: i, process: 0, type: i % 2 ? 'ok' : 'invoke', f: 'write', value: 'v'.repeat(100) });
    i++;
  }
  if (i === 20000) process.stdout.write('ready\\n');
  setImmediate(burst);
}
burst();
`;

describe('recorder under SIGKILL', () => {
  it('leaves a readable, well-formed history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-kill-'));
    const path = join(dir, 'history.jsonl');
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
      env: { ...process.env, HISTORY_PATH: path },
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) resolve();
        });
        proc.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      proc.kill('SIGKILL');
      await new Promise((r) => proc.on('exit', r));
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    const { history } = await readHistoryFile(path);
    // "ready" is printed in the turn that reached 20,000 events; that turn's batch of 200 may
    // not be written yet, every earlier one is.
    expect(history.length).toBeGreaterThanOrEqual(19800);
    // Completions may be cut off, but every recorded event must form a valid prefix.
    expect(validateHistory(history)).toEqual([]);
  });
});
