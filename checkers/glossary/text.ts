/**
 * The glossary as text: the Markdown of docs/anomalies.md (written by ./write-doc.ts) and the
 * plain text `faultline list anomalies` prints.
 */
import { demonstrationCommand, demonstrationNeedsRoot, GLOSSARY, type GlossaryEntry } from './index.ts';

/** The anchor of an entry in docs/anomalies.md and in report.html. */
export function glossaryAnchor(type: string): string {
  return `anomaly-${type.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** The models an entry rules out, in one line. */
export function rulesOutLine(e: GlossaryEntry): string {
  if (e.rulesOut.not.length === 0) return 'no consistency model of the lattice';
  const also = e.rulesOut.alsoNot.length ? ` (and so the stronger ${e.rulesOut.alsoNot.join(', ')})` : '';
  return `${e.rulesOut.not.join(', ')}${also}`;
}

/** One command line per demonstration, saying whether it needs root. */
export function demoLines(e: GlossaryEntry): string[] {
  return e.demonstrations.map((d) => `${demonstrationCommand(d)}${demonstrationNeedsRoot(d) ? '   (needs root: a networked store on the local provider)' : '   (in-process, no root)'}`);
}

function checkedAgainst(e: GlossaryEntry): string {
  const models = e.example?.consistencyModels;
  return models ? ` checking ${models.join(', ')}` : '';
}

/** docs/anomalies.md. */
export function glossaryMarkdown(): string {
  const out: string[] = [
    '# Anomalies',
    '',
    '<!-- Generated from checkers/glossary/ by `npx tsx checkers/glossary/write-doc.ts`; do not edit by hand. -->',
    '',
    'Every anomaly type a Faultline checker reports: what it means, the smallest history that shows it',
    '(each one is checked by the test suite: the named checker finds the anomaly in it), the consistency',
    'models it rules out (weakest first, from the model lattice of `checkers/elle/model.ts`), and runs of',
    'the bundled stores that demonstrate it. The same text appears in report.html next to each anomaly',
    'and in `faultline list anomalies`.',
    '',
    'In examples, `p0` is a client process; an op reads `p0 write 1 → ok` (invoked, then completed ok).',
    'Transactions are lists of micro-ops: `[append x 1]` appends 1 to the list under key x, `[r x [1 2]]`',
    'read x as the list [1 2]. Ops that overlap in time are shown one event per line.',
    '',
    '| type | name | checkers |',
    '| --- | --- | --- |',
    ...GLOSSARY.map((e) => `| [${e.type}](#${glossaryAnchor(e.type)}) | ${e.title} | ${e.checkers.join(', ')} |`),
    '',
    'Elle may also report `<model>-cycle-exists` (for example `PL-SI-cycle-exists`): a cycle that model',
    'forbids, proven by a strongly connected component of the dependency graph, when the search did not',
    'pin it down as a cycle of a named type. It rules out that model and every stronger one.',
    '',
  ];
  for (const e of GLOSSARY) {
    out.push(`<a id="${glossaryAnchor(e.type)}"></a>`, '', `## ${e.type}: ${e.title}`, '', e.definition, '');
    if (e.exampleText.length) out.push(`Smallest example (found by the \`${e.example!.checker}\` checker${checkedAgainst(e)}):`, '', '```', ...e.exampleText, '```', '');
    out.push(`Rules out: ${rulesOutLine(e)}.`, '');
    if (e.note) out.push(e.note, '');
    const demos = demoLines(e);
    out.push(demos.length ? 'Demonstrated by:' : 'No bundled store demonstrates it.', '');
    if (demos.length) out.push('```', ...demos, '```', '');
  }
  return out.join('\n');
}

/** Plain text for `faultline list anomalies`: every entry, or the one named. */
export function glossaryText(only?: GlossaryEntry): string {
  const out: string[] = [];
  for (const e of only ? [only] : GLOSSARY) {
    out.push(`${e.type} — ${e.title}`, `  ${e.definition}`);
    if (e.exampleText.length) out.push('  example:', ...e.exampleText.map((l) => `    ${l}`));
    out.push(`  rules out: ${rulesOutLine(e)}`);
    if (e.note) out.push(`  ${e.note}`);
    for (const d of demoLines(e)) out.push(`  demo: ${d}`);
    out.push('');
  }
  return out.join('\n');
}
