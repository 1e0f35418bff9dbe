/**
 * `faultline check <history>`: check a stored history (ours, or one from Jepsen, Knossos,
 * Porcupine or Elle; the format is detected from the file) without any cluster.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { exitCodeFor } from '../core/validity.ts';
import { InputError, UsageError } from '../core/errors.ts';
import { loadHistoryForCheck } from './load-history.ts';
import { checkInOnePass, isJsonlHistory } from './check-stream.ts';
import { parseModelInit } from '../../checkers/linearizable/index.ts';
import { assertWellFormed } from '../history/validate.ts';
import { compose } from '../../checkers/compose.ts';
import { makeChecker } from '../../checkers/index.ts';
import { printJson, printSummary } from './output.ts';
import { reportToGithub } from '../report/github.ts';
import { basename } from 'node:path';
import { parseOpts } from './options.ts';

interface CheckFlags {
  checker?: string;
  model?: string;
  init?: string;
  consistencyModels?: string;
  checkerTime: string;
  opt: string[];
  json?: boolean;
  github?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check a stored history file (JSONL, Jepsen/Knossos EDN, Jepsen log lines, Porcupine kv, Elle JSON)')
    .argument('<history>', 'history file')
    .option('--checker <names>', 'comma-separated checkers (see `faultline list`); default: linearizable when --model is given, else the format\'s natural checker')
    .option('--model <model>', 'model for the linearizable checker (register, cas-register, kv, ...)')
    .option('--init <value>', 'initial value of the model (JSON)')
    .option('--consistency-models <models>', 'comma-separated consistency models for transactional checkers')
    .addOption(new Option('--checker-time <seconds>', 'time budget per checker').default('300'))
    .option('--opt <key=value>', 'checker option (repeatable), e.g. --opt delivery=exactly-once', (v: string, prev: string[]) => [...prev, v], [])
    .option('--json', 'print one JSON document on stdout')
    .option('--github', 'print GitHub Actions annotations for invalid / unknown checkers')
    .addHelpText('after', `
Examples:
  faultline check results/latest/history.jsonl --checker stats,perf
  faultline check history.edn --model cas-register --init 0
  faultline check history.json --checker list-append --consistency-models serializable`)
    .action(async (file: string, flags: CheckFlags) => {
      const budgetS = Number(flags.checkerTime);
      if (!(budgetS > 0)) throw new UsageError(`--checker-time must be a positive number of seconds, got ${JSON.stringify(flags.checkerTime)}`);
      const started = performance.now();
      // Our JSONL with the checkers named: read, validated and checked in one pass.
      const loaded = (flags.checker || flags.model) && (await isJsonlHistory(file)) ? undefined : await loadHistoryForCheck(file);
      if (loaded) assertWellFormed(loaded.history);
      const model = flags.model ?? loaded?.model?.model;
      const init = flags.init !== undefined && model ? parseModelInit(model, flags.init) : flags.model ? undefined : loaded?.model?.init;
      let names = flags.checker?.split(',').map((s) => s.trim()).filter(Boolean);
      if (!names?.length) names = flags.model ? ['linearizable'] : loaded?.checkerHint ? [loaded.checkerHint] : undefined;
      if (!names?.length) {
        throw new UsageError(`${file}: say which checker to run with --checker NAME (see \`faultline list\`) or a model with --model`);
      }
      if (model && names.includes('linearizable') && !flags.model && loaded?.model) loaded.notes.push(`model ${model}: ${loaded.model.reason}`);
      const opts = {
        ...(model !== undefined ? { model } : {}),
        ...(init !== undefined ? { init } : {}),
        ...(flags.consistencyModels ? { consistencyModels: flags.consistencyModels.split(',').map((s) => s.trim()) } : {}),
        options: parseOpts(flags.opt),
      };
      const checkers = names.map((n) => makeChecker(n, opts));
      const ctx = { budget: { timeMs: budgetS * 1000 } };
      const run = loaded
        ? { result: await compose(checkers).check(loaded.history, ctx), events: loaded.history.length, format: loaded.format, notes: loaded.notes }
        : { ...(await checkInOnePass(file, checkers, ctx)), format: 'jsonl' };
      const { result } = run;
      const rejected = Object.values(result.checkers).find((r) => r['badInput'] === true);
      if (rejected) throw new InputError(String(rejected.error), { file });
      const elapsedMs = Math.round(performance.now() - started);
      if (flags.json) {
        printJson({ file, format: run.format, events: run.events, elapsedMs, ...result });
      } else {
        printSummary(result.valid, result.checkers, process.stdout, [
          `${file}: ${run.format}, ${run.events} events, checked in ${elapsedMs} ms`,
          ...run.notes,
        ]);
      }
      if (flags.github) reportToGithub({ name: basename(file), results: result }, flags.json ? process.stderr : process.stdout);
      process.exitCode = exitCodeFor(result.valid);
    });
}
