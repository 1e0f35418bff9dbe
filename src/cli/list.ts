/** `faultline list`: the workloads, nemeses, DBs (with bug flags), checkers and providers. */
import type { Command } from 'commander';
import { DBS } from '../db/index.ts';
import { WORKLOADS } from '../../workloads/index.ts';
import { CHECKERS } from '../../checkers/index.ts';
import { NEMESES, NEMESIS_OPTIONS } from '../../nemeses/index.ts';
import { printJson } from './output.ts';
import { GLOSSARY, glossaryEntry } from '../../checkers/glossary/index.ts';
import { glossaryText } from '../../checkers/glossary/text.ts';
import { UsageError } from '../core/errors.ts';

export const PROVIDERS: Record<string, string> = {
  local: 'one network namespace per node on this machine, behind a switch namespace (needs root)',
  ssh: 'real hosts listed in an --inventory file, reached with ssh (key auth, host keys checked); --opt ssh.clock=faketime|host',
  docker: 'one container per node on a labelled network through the Docker engine (docker/README.md); --opt docker.subnet / docker.image',
  none: 'no cluster: in-process stores inside the controller',
};

function listing() {
  return {
    dbs: Object.entries(DBS).map(([name, d]) => ({ name, description: d.description, providers: d.providers, workloads: d.workloads, bugs: d.bugs, expect: d.expect })),
    workloads: Object.entries(WORKLOADS).map(([name, w]) => ({ name, description: w.description, options: w.options })),
    nemeses: Object.entries(NEMESES).map(([name, n]) => ({ name, description: n.description })),
    nemesisOptions: NEMESIS_OPTIONS,
    checkers: Object.entries(CHECKERS).map(([name, c]) => ({ name, description: c.description })),
    providers: Object.entries(PROVIDERS).map(([name, description]) => ({ name, description })),
  };
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list workloads, nemeses, databases (with bug flags and expected verdicts), checkers and providers; `list anomalies [type]`: the anomaly glossary')
    .argument('[anomalies]', '"anomalies" to explain every anomaly type a checker reports')
    .argument('[type]', 'with "anomalies": explain only this type')
    .option('--json', 'print one JSON document on stdout')
    .action((what: string | undefined, type: string | undefined, flags: { json?: boolean }) => {
      if (what !== undefined) return listAnomalies(what, type, flags.json === true);
      const l = listing();
      if (flags.json) return printJson(l);
      const out: string[] = [];
      const section = (title: string, rows: { name: string; description: string }[], extra?: (name: string) => string[]) => {
        out.push(`${title}:`);
        for (const r of rows) {
          out.push(`  ${r.name.padEnd(24)} ${r.description}`);
          for (const line of extra?.(r.name) ?? []) out.push(`  ${''.padEnd(24)} ${line}`);
        }
        out.push('');
      };
      section('databases (--db)', l.dbs, (name) => {
        const d = DBS[name]!;
        const lines = [`providers: ${d.providers.join(', ')}; workloads: ${d.workloads.join(', ')}; expect: ${d.expect}`];
        for (const [bug, what] of Object.entries(d.bugs)) lines.push(`--bug ${bug}: ${what}`);
        for (const [key, what] of Object.entries(d.options ?? {})) lines.push(`--opt ${key}=...: ${what}`);
        return lines;
      });
      section('workloads (--workload)', l.workloads, (name) =>
        Object.entries(WORKLOADS[name]!.options).map(([k, what]) => `--opt ${k}=...: ${what}`),
      );
      section('nemeses (--nemesis)', l.nemeses);
      out.push('nemesis options (--opt key=value):');
      for (const [key, what] of Object.entries(NEMESIS_OPTIONS)) out.push(`  ${key.padEnd(28)} ${what}`);
      out.push('');
      section('checkers (--checker)', l.checkers);
      section('providers (--provider)', l.providers);
      out.push(`anomalies: \`faultline list anomalies [type]\` explains the ${GLOSSARY.length} anomaly types the checkers report`, '');
      process.stdout.write(out.join('\n'));
    });
}

/** `faultline list anomalies [type]`: the glossary (checkers/glossary/). */
function listAnomalies(what: string, type: string | undefined, json: boolean): void {
  if (what !== 'anomalies') throw new UsageError(`faultline list takes no argument or "anomalies", got ${JSON.stringify(what)}`);
  const entry = type === undefined ? undefined : glossaryEntry(type);
  if (type !== undefined && !entry) throw new UsageError(`unknown anomaly type ${JSON.stringify(type)}; known: ${GLOSSARY.map((e) => e.type).join(', ')}`);
  if (json) return printJson({ anomalies: entry ? [entry] : GLOSSARY });
  process.stdout.write(glossaryText(entry));
}
