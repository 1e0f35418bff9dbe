// The serve command's options: defaults, and one clear error for a bad port or a missing directory.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../core/errors.ts';
import { register } from './serve.ts';

function program(): Command {
  const p = new Command('faultline').exitOverride();
  register(p);
  for (const c of p.commands) c.exitOverride();
  return p;
}

describe('faultline serve', () => {
  it('defaults to results/ on 127.0.0.1:8080', () => {
    const serve = program().commands.find((c) => c.name() === 'serve')!;
    expect(serve.opts()).toEqual({ host: '127.0.0.1', port: '8080' });
    expect(serve.registeredArguments[0]!.defaultValue).toBe('results');
  });

  it('refuses a missing results directory', async () => {
    await expect(program().parseAsync(['serve', '/nonexistent/results-dir'], { from: 'user' })).rejects.toThrow(InputError);
  });

  it('refuses a port that is not 0..65535', async () => {
    await expect(program().parseAsync(['serve', '.', '--port', '70000'], { from: 'user' })).rejects.toThrow(UsageError);
    await expect(program().parseAsync(['serve', '.', '--port', 'http'], { from: 'user' })).rejects.toThrow(/--port must be an integer/);
  });
});
