/**
 * `faultline check <history>`: check a stored history (ours, or one from Jepsen, Knossos,
 * Porcupine or Elle; the format is detected from the file) without any cluster.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { basename } from 'node:path';
import { exitCodeFor } from '../core/validity.ts';
import { InputError, UsageError } from '../core/errors.ts';
import { parseOptions, splitOptionFlags } from '../options/parse.ts';

interface CheckFlags {
  checker?: string;
  model?: string;
  init?: string;
  consistencyModels?: string;
  checkerTime: string;
  opt: string[];
  config: string[];
  json?: boolean;
  github?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check a stored history file (JSONL, Jepsen/Knossos EDN, Jepsen log lines, Porcupine kv, Elle JSON)')
    .argument('<history>', 'history file (- for standard input)')
    .option('--checker <names>', 'comma-separated checkers (see `faultline list`); default: linearizable when --model is given, else the format\'s natural checker')
    .option('--model <model>', 'model for the linearizable checker (register, cas-register, kv, ...)')
    .option('--init <value>', 'initial value of the model (JSON)')
    .option('--consistency-models <models>', 'comma-separated consistency models for transactional checkers')
    .addOption(new Option('--checker-time <seconds>', 'time budget per checker').default('300'))
    .option('--opt <key=value>', 'checker option (repeatable), e.g. --opt queue.delivery=exactly-once', (v: string, prev: string[]) => [...prev, v], [])
    .option('--config <file>', 'a faultline.config.ts registering more checkers (default: the one in this directory)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--json', 'print one JSON document on stdout')
    .option('--github', 'print GitHub Actions annotations for invalid / unknown checkers')
    .addHelpText('after', `
Examples:
  faultline check results/latest/history.jsonl --checker stats,perf
  faultline check history.edn --model cas-register --init 0
  faultline check history.json --checker list-append --consistency-models serializable
  faultline check history.edn --checker rw-register --opt linearizable-keys=true`)
    .action(async (file: string, flags: CheckFlags) => {
      const budgetS = Number(flags.checkerTime);
      if (!(budgetS > 0)) throw new UsageError(`--checker-time must be a positive number of seconds, got ${JSON.stringify(flags.checkerTime)}`);
      const started = performance.now();
      const { loadHistoryForCheck } = await import('./load-history.ts');
      const { checkInOnePass, isJsonlHistory } = await import('./check-stream.ts');
      const { assertWellFormed } = await import('../history/validate.ts');
      const { printJson, printSummary } = await import('./output.ts');
      const { loadParts, optionPrefix } = await import('../plugins/registry.ts');
      // Our JSONL with the checkers named: read, validated and checked in one pass.
      const loaded = (flags.checker || flags.model) && (await isJsonlHistory(file)) ? undefined : await loadHistoryForCheck(file);
      if (loaded) assertWellFormed(loaded.history);
      const model = flags.model ?? loaded?.model?.model;
      const init =
        flags.init !== undefined && model
          ? (await import('../../checkers/linearizable/models/index.ts')).parseModelInit(model, flags.init)
          : flags.model ? undefined : loaded?.model?.init;
      let names = flags.checker?.split(',').map((s) => s.trim()).filter(Boolean);
      if (!names?.length) names = flags.model ? ['linearizable'] : loaded?.checkerHint ? [loaded.checkerHint] : undefined;
      if (!names?.length) {
        throw new UsageError(`${file}: say which checker to run with --checker NAME (see \`faultline list\`) or a model with --model`);
      }
      if (model && names.includes('linearizable') && !flags.model && loaded?.model) loaded.notes.push(`model ${model}: ${loaded.model.reason}`);
      const { parts } = await loadParts(flags.config);
      const defs = await Promise.all(names.map((n) => parts.checkers.get(n)));
      const owners = defs.map((d) => ({ part: `checker ${d.name}`, prefix: optionPrefix(d), schema: d.options ?? {} }));
      const parsed = parseOptions(splitOptionFlags(flags.opt), owners, (line) => process.stderr.write(`faultline: ${line}\n`));
      const build = {
        ...(model !== undefined ? { model } : {}),
        ...(init !== undefined ? { init } : {}),
        ...(flags.consistencyModels ? { consistencyModels: flags.consistencyModels.split(',').map((s) => s.trim()) } : {}),
      };
      const checkers = await Promise.all(defs.map((d, i) => d.create({ ...build, options: parsed.valuesOf(owners[i]!) })));
      const ctx = { budget: { timeMs: budgetS * 1000 } };
      const run = loaded
        ? { result: await (await import('../../checkers/compose.ts')).compose(checkers).check(loaded.history, ctx), events: loaded.history.length, format: loaded.format, notes: loaded.notes }
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
      if (flags.github) (await import('../report/github.ts')).reportToGithub({ name: basename(file), results: result }, flags.json ? process.stderr : process.stdout);
      process.exitCode = exitCodeFor(result.valid);
    });
}
