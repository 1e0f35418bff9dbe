/**
 * Plans a test given by names the way the CLI does (Faultline's own parts, no installs), quietly:
 * what the tests of whole runs share.
 */
import type { Test, TestSpec } from '../src/core/test.ts';
import { SILENT } from '../src/runner/context.ts';
import { planTest } from '../src/runner/plan.ts';

export function planNamed(spec: TestSpec): Promise<Test> {
  return planTest(spec, { log: SILENT, install: false });
}
