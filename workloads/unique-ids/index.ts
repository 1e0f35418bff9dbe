/**
 * The unique-ids workload: clients ask the system for new ids; the unique-ids checker demands
 * that no id is handed out twice.
 *
 * Op shapes:
 *   generate  invoke value null   ok value: the id (number, string or any JSON value)
 */
import type { OpTemplate } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { uniqueIds } from '../../checkers/unique-ids/unique-ids.ts';

export function uniqueIdsOp(): OpTemplate {
  return { f: 'generate', value: null };
}

export function uniqueIdsWorkload(): Workload {
  return { name: 'unique-ids', generator: lift(uniqueIdsOp), finalGenerator: null, checker: uniqueIds() };
}
