/**
 * The anomaly glossary: what each anomaly type a checker reports means, its smallest example,
 * the consistency models it rules out (from the model lattice), and the runs that demonstrate
 * it. One source for the report, `faultline list anomalies` and docs/anomalies.md.
 *
 * Example: `glossaryEntry('G2-item')?.rulesOut.not` is `['repeatable-read']`.
 */
import { ALL_ANOMALIES, allImpossibleModels, boundary, canonicalModel, friendlyModel } from '../elle/model.ts';
import { ENTRY_SOURCES, VARIANT_EXAMPLES, type Demonstration, type EntrySource } from './entries.ts';
import { exampleLines, type Example } from './example.ts';

export type { Demonstration } from './entries.ts';
export type { Example } from './example.ts';

export interface GlossaryEntry {
  type: string;
  title: string;
  checkers: readonly string[];
  definition: string;
  example: Example | undefined;
  /** The example in words, one line per op (or per event when ops overlap). */
  exampleText: string[];
  /** The weakest models the anomaly rules out, and the stronger ones ruled out with them (friendly names, sorted). */
  rulesOut: { not: string[]; alsoNot: string[] };
  note: string | undefined;
  demonstrations: readonly Demonstration[];
}

const friendly = (models: Iterable<string>): string[] => [...new Set([...models].map(friendlyModel))].sort();

/** The models a set of directly violated models rules out, weakest first. */
function ruledOutBy(models: readonly string[]): GlossaryEntry['rulesOut'] {
  const not = friendly(models);
  const direct = new Set(models.map(canonicalModel));
  return { not, alsoNot: friendly([...allImpossibleModels(models)].filter((m) => !direct.has(m))) };
}

function rulesOutOf(s: EntrySource): GlossaryEntry['rulesOut'] {
  if (s.violates) return ruledOutBy(s.violates);
  if (ALL_ANOMALIES.has(s.type)) return boundary([s.type]);
  return { not: [], alsoNot: [] };
}

function entry(s: EntrySource): GlossaryEntry {
  return {
    type: s.type,
    title: s.title,
    checkers: s.checkers,
    definition: s.definition,
    example: s.example,
    exampleText: s.example ? exampleLines(s.example) : [],
    rulesOut: rulesOutOf(s),
    note: s.note,
    demonstrations: s.demonstrations ?? [],
  };
}

/** The cycle anomalies that come in process and real-time variants. */
const CYCLES = ['G0', 'G1c', 'G-single-item', 'G-nonadjacent-item', 'G2-item'];

const VARIANTS = {
  process: {
    title: 'within a client session',
    text: "The cycle needs at least one process edge: a client's own transaction that completed before its next one began. Even per-session (strong session) versions of the models that forbid the base anomaly are ruled out. A check against a real-time model (the default, strict serializability) reports such a cycle as its real-time variant, since a client's earlier transaction also ended before its next one began.",
  },
  realtime: {
    title: 'in real time',
    text: 'The cycle needs at least one real-time edge: a transaction that completed before another began, though the store ordered them the other way. Models that respect real time (strong snapshot isolation, strict serializability) are ruled out even if the base anomaly is allowed.',
  },
} as const;

function variant(base: EntrySource, kind: keyof typeof VARIANTS): EntrySource {
  const type = `${base.type}-${kind}`;
  const example = VARIANT_EXAMPLES[type];
  return {
    type,
    title: `${base.title}, ${VARIANTS[kind].title}`,
    checkers: base.checkers,
    definition: `${base.definition} ${VARIANTS[kind].text}`,
    ...(example ? { example } : {}),
    ...(example ? {} : { note: `No example of its own here: see ${base.type} for the shape of the cycle.` }),
  };
}

const SOURCES: EntrySource[] = ENTRY_SOURCES.flatMap((s) => (CYCLES.includes(s.type) ? [s, variant(s, 'process'), variant(s, 'realtime')] : [s]));

/** Every entry, in the glossary's order (registers, sessions, data types, then Elle's anomalies). */
export const GLOSSARY: readonly GlossaryEntry[] = SOURCES.map(entry);

const BY_TYPE = new Map(GLOSSARY.map((e) => [e.type, e]));

/** `<model>-cycle-exists`: a cycle the model forbids, proven by a strongly connected component. */
function cycleExists(type: string): GlossaryEntry | undefined {
  const m = /^(.+)-cycle-exists$/.exec(type);
  if (!m) return undefined;
  const model = friendlyModel(m[1]!);
  return {
    type,
    title: `A cycle ${model} forbids`,
    checkers: ['list-append', 'rw-register'],
    definition: `The dependency graph restricted to the edges ${model} orders has a cycle (a strongly connected component), but the search did not pin it down as a cycle of a named type within its budget. The transactions of the component are listed; ${model} cannot hold.`,
    example: undefined,
    exampleText: [],
    rulesOut: ruledOutBy([m[1]!]),
    note: undefined,
    demonstrations: [],
  };
}

/** The entry for an anomaly type as checkers report it, or undefined for a type the glossary does not know. */
export function glossaryEntry(type: string): GlossaryEntry | undefined {
  return BY_TYPE.get(type) ?? cycleExists(type);
}

/** The command line of a demonstration, ready to paste. */
export function demonstrationCommand(d: Demonstration): string {
  const opts = Object.entries(d.options ?? {}).map(([k, v]) => ` --opt ${k}=${v}`);
  const time = d.timeLimitS === undefined ? '' : ` --time-limit ${d.timeLimitS}`;
  return `faultline test --db ${d.db}${d.bug ? ` --bug ${d.bug}` : ''}${opts.join('')} --workload ${d.workload} --nemesis ${d.nemesis}${time}`;
}

/** In-process stores run anywhere; the networked reference stores need root (the local provider). */
export function demonstrationNeedsRoot(d: Demonstration): boolean {
  return !d.db.startsWith('inprocess:');
}
