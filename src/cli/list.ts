/**
 * `faultline list`: the databases (with bug flags), workloads, nemeses, checkers and providers,
 * each with its options, generated from the registries and their option schemas (Faultline's own
 * parts and those of `faultline.config.ts`), and the built-in topology profiles.
 */
import type { Command } from 'commander';
import type { PartDefinition } from '../core/parts.ts';
import { describeDefault, describeType, type OptionSchema } from '../options/schema.ts';
import { UsageError } from '../core/errors.ts';

/** One option per line: `--opt prefix.name=<type> (default d): doc`. */
export function optionLines(prefix: string, schema: OptionSchema): string[] {
  return Object.entries(schema).map(([name, spec]) => `--opt ${prefix}.${name}=<${describeType(spec)}>${spec.default === undefined ? '' : ` (default ${describeDefault(spec)})`}: ${spec.doc}`);
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list databases (with bug flags and expected verdicts), workloads, nemeses, checkers and providers, with their options; `list anomalies [type]`: the anomaly glossary')
    .argument('[anomalies]', '"anomalies" to explain every anomaly type a checker reports')
    .argument('[type]', 'with "anomalies": explain only this type')
    .option('--json', 'print one JSON document on stdout')
    .option('--config <file>', 'a faultline.config.ts registering more parts (default: the one in this directory)', (v: string, prev: string[]) => [...prev, v], [])
    .action(async (what: string | undefined, type: string | undefined, flags: { json?: boolean; config: string[] }) => {
      if (what !== undefined) return listAnomalies(what, type, flags.json === true);
      const { loadParts, optionPrefix } = await import('../plugins/registry.ts');
      const { NEMESIS_PACKAGE_OPTIONS } = await import('../../nemeses/definitions.ts');
      const { printJson } = await import('./output.ts');
      const { parts } = await loadParts(flags.config);
      const { BUILTIN_TOPOLOGIES } = await import('../topology/profiles.ts');
      const { describeLink, describeRegions } = await import('../topology/describe.ts');
      const [dbs, workloads, nemeses, checkers, providers] = await Promise.all([parts.dbs.all(), parts.workloads.all(), parts.nemeses.all(), parts.checkers.all(), parts.providers.all()]);
      const options = (d: PartDefinition) =>
        Object.entries(d.options ?? {}).map(([name, spec]) => ({ key: `${optionPrefix(d)}.${name}`, type: describeType(spec), default: describeDefault(spec), doc: spec.doc }));
      if (flags.json) {
        return printJson({
          dbs: dbs.map((d) => ({ name: d.name, description: d.description, providers: d.providers ?? null, workloads: d.workloads, bugs: d.bugs ?? {}, expect: d.expect ?? null, options: options(d) })),
          workloads: workloads.map((d) => ({ name: d.name, description: d.description, options: options(d) })),
          nemeses: nemeses.map((d) => ({ name: d.name, description: d.description, options: options(d) })),
          nemesisOptions: Object.entries(NEMESIS_PACKAGE_OPTIONS).map(([name, spec]) => ({ key: `nemesis.${name}`, type: describeType(spec), default: describeDefault(spec), doc: spec.doc })),
          checkers: checkers.map((d) => ({ name: d.name, description: d.description, options: options(d) })),
          providers: providers.map((d) => ({ name: d.name, description: d.description, options: options(d) })),
          topologies: BUILTIN_TOPOLOGIES,
        });
      }
      const out: string[] = [];
      const lines = (d: PartDefinition) => optionLines(optionPrefix(d), d.options ?? {});
      const section = <D extends PartDefinition>(title: string, rows: readonly D[], extra: (d: D) => string[] = () => []) => {
        out.push(`${title}:`);
        for (const d of rows) {
          out.push(`  ${d.name.padEnd(26)} ${d.description}`);
          for (const line of [...extra(d), ...lines(d)]) out.push(`  ${''.padEnd(26)} ${line}`);
        }
        out.push('');
      };
      section('databases (--db)', dbs, (d) => [
        `providers: ${(d.providers ?? ['local', 'ssh', 'docker']).join(', ')}; workloads: ${d.workloads.join(', ')}${d.expect ? `; expect: ${d.expect}` : ''}`,
        ...Object.entries(d.bugs ?? {}).map(([bug, what]) => `--bug ${bug}: ${what}`),
      ]);
      section('workloads (--workload)', workloads);
      section('nemeses (--nemesis)', nemeses);
      out.push('nemesis options (with any nemesis):');
      for (const line of optionLines('nemesis', NEMESIS_PACKAGE_OPTIONS)) out.push(`  ${line}`);
      out.push('');
      section('checkers (--checker)', checkers);
      section('providers (--provider)', providers);
      out.push('topologies (--topology <name>, or a JSON file of your own: see docs/topologies.md):');
      for (const t of BUILTIN_TOPOLOGIES) {
        out.push(`  ${t.name.padEnd(26)} ${t.description ?? ''}`);
        out.push(`  ${''.padEnd(26)} regions: ${describeRegions(t.regions)} (nodes dealt out in order, n1 first)`);
        for (const l of t.links) out.push(`  ${''.padEnd(26)} ${describeLink(l)}`);
      }
      out.push('');
      const { GLOSSARY } = await import('../../checkers/glossary/index.ts');
      out.push(`anomalies: \`faultline list anomalies [type]\` explains the ${GLOSSARY.length} anomaly types the checkers report`);
      out.push('Parts can also be modules: --db ./my-db.ts (see docs/your-database.md).', '');
      process.stdout.write(out.join('\n'));
    });
}

/** `faultline list anomalies [type]`: the glossary (checkers/glossary/). */
async function listAnomalies(what: string, type: string | undefined, json: boolean): Promise<void> {
  if (what !== 'anomalies') throw new UsageError(`faultline list takes no argument or "anomalies", got ${JSON.stringify(what)}`);
  const { GLOSSARY, glossaryEntry } = await import('../../checkers/glossary/index.ts');
  const { glossaryText } = await import('../../checkers/glossary/text.ts');
  const { printJson } = await import('./output.ts');
  const entry = type === undefined ? undefined : glossaryEntry(type);
  if (type !== undefined && !entry) throw new UsageError(`unknown anomaly type ${JSON.stringify(type)}; known: ${GLOSSARY.map((e) => e.type).join(', ')}`);
  if (json) return printJson({ anomalies: entry ? [entry] : GLOSSARY });
  process.stdout.write(glossaryText(entry));
}
