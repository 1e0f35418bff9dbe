/**
 * The workload checkers as checker definitions (`--checker <name>`), each with its options
 * declared (`--opt <checker>.<name>=<value>`; the old unprefixed spellings still work with a
 * deprecation line). Each `create` imports its checker, so listing them loads none.
 */
import type { CheckerDefinition } from '../src/core/parts.ts';
import { opt } from '../src/options/schema.ts';
import { defineChecker } from '../src/plugins/define.ts';
import { SESSION_GUARANTEES } from './session/guarantees.ts';

/** A value given as JSON text, or the text itself when it is not JSON. */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const WORKLOAD_CHECKERS: readonly CheckerDefinition[] = [
  defineChecker({
    name: 'set-full',
    optionPrefix: 'set',
    description: 'grow-only set: lost, stale, never-read and duplicated elements, time to stable visibility',
    options: { linearizable: opt.boolean({ doc: 'stale reads count as violations', default: false, aliases: ['linearizable'] }) },
    create: async ({ options }) => (await import('./set/set-full.ts')).setFull({ linearizable: options.linearizable }),
  }),
  defineChecker({
    name: 'counter',
    description: 'counter (G or PN): every read within the range the ok / info increments allow',
    options: { initial: opt.number({ doc: 'the value before any increment', default: 0, aliases: ['initial'] }) },
    create: async ({ options }) => (await import('./counter/counter.ts')).counter({ initial: options.initial }),
  }),
  defineChecker({
    name: 'bank',
    description: 'bank transfers: total conserved and no negative balance in any read',
    options: {
      accounts: opt.list({ doc: 'the accounts (default: those the reads show)', aliases: ['accounts'] }),
      total: opt.number({ doc: 'the total every read must show (default: the first read\'s)', aliases: ['total'] }),
      'negative-balances': opt.boolean({ doc: 'allow negative balances (stores that permit overdrafts)', default: false, aliases: ['negativeBalances'] }),
    },
    create: async ({ options }) =>
      (await import('./bank/bank.ts')).bank({
        negativeBalances: options['negative-balances'],
        ...(options.accounts !== undefined ? { accounts: options.accounts.map((a) => (/^\d+$/.test(a) ? Number(a) : a)) } : {}),
        ...(options.total !== undefined ? { total: options.total } : {}),
      }),
  }),
  defineChecker({
    name: 'queue',
    description: 'queue delivery: lost, duplicated and unexpected messages, retries and deduplication',
    options: { delivery: opt.enum(['at-least-once', 'at-most-once', 'exactly-once'], { doc: 'the delivery the queue promises', default: 'at-least-once', aliases: ['delivery'] }) },
    create: async ({ options }) => (await import('./queue/queue.ts')).queue({ delivery: options.delivery }),
  }),
  defineChecker({ name: 'unique-ids', description: 'every generated id distinct', create: async () => (await import('./unique-ids/unique-ids.ts')).uniqueIds() }),
  defineChecker({
    name: 'session',
    description: 'read-your-writes, monotonic reads, monotonic writes, writes-follow-reads per session',
    options: { guarantees: opt.list({ doc: 'the guarantees to check (default: all)', values: SESSION_GUARANTEES, aliases: ['guarantees'] }) },
    create: async ({ options }) => (await import('./session/session-guarantees.ts')).sessionGuarantees(options.guarantees !== undefined ? { guarantees: options.guarantees } : {}),
  }),
  defineChecker({ name: 'causal-reverse', description: 'no read sees a write without the writes that came before it', create: async () => (await import('./causal/causal-reverse.ts')).causalReverse() }),
  defineChecker({ name: 'long-fork', description: 'no two reads observe concurrent writes in opposite orders (snapshot isolation)', create: async () => (await import('./long-fork/long-fork.ts')).longFork() }),
  defineChecker({
    name: 'stale-reads',
    description: 'how stale non-linearizable register reads were, in versions and milliseconds',
    options: { initial: opt.string({ doc: 'the register value before any write, as JSON (default null)', aliases: ['initial'] }) },
    create: async ({ options }) => (await import('./stale-reads/stale-reads.ts')).staleReads(options.initial === undefined ? {} : { initial: jsonOrText(options.initial) }),
  }),
  defineChecker({
    name: 'availability',
    description: 'fraction of ok ops overall and in each fault window',
    options: { 'min-availability': opt.number({ doc: 'an overall fraction of ok ops below this is invalid', min: 0, max: 1, aliases: ['minAvailability'] }) },
    create: async ({ options }) => (await import('./availability/availability.ts')).availability(options['min-availability'] !== undefined ? { minAvailability: options['min-availability'] } : {}),
  }),
];
