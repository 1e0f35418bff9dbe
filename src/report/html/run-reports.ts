/**
 * The per-run report files written after checking: report.html and summary.json, from one
 * analysis of the run (the op table of a large history is built once).
 */
import { analyzeRun } from './analysis.ts';
import { writeHtmlReport } from './build.ts';
import type { RunData } from './run-data.ts';
import { writeSummaryJson, type RunSummary } from '../summary-json.ts';

export function writeRunReports(runDir: string, run: RunData): { reportPath: string; summary: RunSummary } {
  const an = analyzeRun(run);
  const reportPath = writeHtmlReport(runDir, an);
  return { reportPath, summary: writeSummaryJson(runDir, an) };
}
