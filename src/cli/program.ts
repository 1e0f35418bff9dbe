/**
 * The faultline program: its commands and the mapping of outcomes to exit codes. Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad usage or
 * unreadable input (one line, no stack trace), 255 internal crash. Logs go to stderr; --json
 * prints exactly one JSON document on stdout.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/validity.ts';
import { isUserError } from '../core/errors.ts';
import { registerTest } from './test.ts';
import { registerSim } from './sim.ts';
import { registerCheck } from './check.ts';
import { registerReport } from './report.ts';
import { registerList } from './list.ts';
import { register as registerDoctor } from './doctor.ts';
import { register as registerCleanup } from './cleanup.ts';
import { register as registerServe } from './serve.ts';
import { register as registerSetup } from './setup.ts';
import { VERSION } from '../version.ts';

/** `partsHelp`: the generated options of the chosen parts, appended to `faultline test --help`. */
export function buildProgram(partsHelp?: string): Command {
  const program = new Command('faultline')
    .description('Jepsen-style chaos and consistency testing: run a workload against a distributed database while injecting faults, then check the history.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerTest(program, partsHelp);
  registerSim(program);
  registerCheck(program);
  registerReport(program);
  registerList(program);
  registerServe(program);
  registerDoctor(program);
  registerCleanup(program);
  registerSetup(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/**
 * Runs the program on `argv` (without node and the script) and resolves with the exit code.
 * With --json, exactly one JSON document goes to stdout, errors included.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const fail = (code: number, message: string): number => {
    if (json) process.stdout.write(JSON.stringify({ error: message, exitCode: code }, null, 2) + '\n');
    return code;
  };
  try {
    const wantsTestHelp = argv[0] === 'test' && (argv.includes('--help') || argv.includes('-h'));
    const partsHelp = wantsTestHelp ? await (await import('./test-help.ts')).partOptionsHelp(argv) : undefined;
    const program = buildProgram(partsHelp);
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.valid;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.valid : fail(EXIT.badInput, e.message);
    if (isUserError(e)) {
      process.stderr.write(`faultline: ${e.message}\n`);
      return fail(EXIT.badInput, e.message);
    }
    process.stderr.write(`faultline: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return fail(EXIT.crash, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

