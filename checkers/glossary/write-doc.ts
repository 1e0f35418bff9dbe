/**
 * Writes docs/anomalies.md from the glossary. Run after changing checkers/glossary/:
 *   npx tsx checkers/glossary/write-doc.ts
 * (the glossary test fails while the committed page differs from what this writes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { glossaryMarkdown } from './text.ts';

export const ANOMALIES_DOC = join(import.meta.dirname, '..', '..', 'docs', 'anomalies.md');

if (process.argv[1] === import.meta.filename) {
  mkdirSync(dirname(ANOMALIES_DOC), { recursive: true });
  writeFileSync(ANOMALIES_DOC, glossaryMarkdown());
  process.stdout.write(`wrote ${ANOMALIES_DOC}\n`);
}
