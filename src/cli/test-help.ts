/**
 * The options part of `faultline test --help`, generated from the schemas of the parts the
 * command line names (or the defaults): `faultline test --db etcd --help` lists etcd's options
 * with the workload's, the nemeses' and the provider's. Loaded only when help is asked for.
 */
import type { PartDefinition } from '../core/parts.ts';
import { loadParts, optionPrefix } from '../plugins/registry.ts';
import { SPEC_DEFAULTS } from '../runner/spec.ts';
import { NEMESIS_PACKAGE_OPTIONS } from '../../nemeses/index.ts';
import { optionLines } from './list.ts';

/** The value of `--flag v` or `--flag=v` in argv (the last one given). */
function flagValue(argv: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  argv.forEach((a, i) => {
    if (a === flag && i + 1 < argv.length) value = argv[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
}

export async function partOptionsHelp(argv: readonly string[]): Promise<string> {
  const { parts } = await loadParts();
  const db = await parts.dbs.get(flagValue(argv, '--db') ?? 'reference:raft');
  const workload = await parts.workloads.get(flagValue(argv, '--workload') ?? 'register');
  const provider = await parts.providers.get(flagValue(argv, '--provider') ?? db.providers?.[0] ?? 'local');
  const nemesisText = flagValue(argv, '--nemesis') ?? SPEC_DEFAULTS.nemesis.join(',');
  const nemeses = await Promise.all(nemesisText === 'none' ? [] : nemesisText.split(',').filter(Boolean).map((n) => parts.nemeses.get(n)));
  const section = (kind: string, d: PartDefinition): string[] => {
    const lines = optionLines(optionPrefix(d), d.options ?? {});
    return lines.length ? [`  ${kind} ${d.name}:`, ...lines.map((l) => `    ${l}`)] : [`  ${kind} ${d.name}: no options`];
  };
  const out = [
    '',
    'Options of the chosen parts (from their schemas; name other parts before --help to see theirs):',
    ...section('db', db),
    ...section('workload', workload),
    ...section('provider', provider),
    ...nemeses.flatMap((n) => section('nemesis', n)),
    ...(nemeses.length ? ['  every nemesis:', ...optionLines('nemesis', NEMESIS_PACKAGE_OPTIONS).map((l) => `    ${l}`)] : []),
  ];
  return out.join('\n');
}
