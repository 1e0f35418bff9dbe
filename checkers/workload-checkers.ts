/**
 * The workload checkers as checker definitions (`--checker <name>`), each with its options
 * declared (`--opt <checker>.<name>=<value>`; the old unprefixed spellings still work with a
 * deprecation line).
 */
import type { CheckerDefinition } from '../src/core/parts.ts';
import { opt } from '../src/options/schema.ts';
import { defineChecker } from '../src/plugins/define.ts';
import { availability } from './availability/availability.ts';
import { bank } from './bank/bank.ts';
import { causalReverse } from './causal/causal-reverse.ts';
import { counter } from './counter/counter.ts';
import { longFork } from './long-fork/long-fork.ts';
import { queue } from './queue/queue.ts';
import { SESSION_GUARANTEES, sessionGuarantees } from './session/session-guarantees.ts';
import { setFull } from './set/set-full.ts';
import { staleReads } from './stale-reads/stale-reads.ts';
import { uniqueIds } from './unique-ids/unique-ids.ts';

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
    create: ({ options }) => setFull({ linearizable: options.linearizable }),
  }),
  defineChecker({
    name: 'counter',
    description: 'counter (G or PN): every read within the range the ok / info increments allow',
    options: { initial: opt.number({ doc: 'the value before any increment', default: 0, aliases: ['initial'] }) },
    create: ({ options }) => counter({ initial: options.initial }),
  }),
  defineChecker({
    name: 'bank',
    description: 'bank transfers: total conserved and no negative balance in any read',
    options: {
      accounts: opt.list({ doc: 'the accounts (default: those the reads show)', aliases: ['accounts'] }),
      total: opt.number({ doc: 'the total every read must show (default: the first read\'s)', aliases: ['total'] }),
      'negative-balances': opt.boolean({ doc: 'allow negative balances (stores that permit overdrafts)', default: false, aliases: ['negativeBalances'] }),
    },
    create: ({ options }) =>
      bank({
        negativeBalances: options['negative-balances'],
        ...(options.accounts !== undefined ? { accounts: options.accounts.map((a) => (/^\d+$/.test(a) ? Number(a) : a)) } : {}),
        ...(options.total !== undefined ? { total: options.total } : {}),
      }),
  }),
  defineChecker({
    name: 'queue',
    description: 'queue delivery: lost, duplicated and unexpected messages, retries and deduplication',
    options: { delivery: opt.enum(['at-least-once', 'at-most-once', 'exactly-once'], { doc: 'the delivery the queue promises', default: 'at-least-once', aliases: ['delivery'] }) },
    create: ({ options }) => queue({ delivery: options.delivery }),
  }),
  defineChecker({ name: 'unique-ids', description: 'every generated id distinct', create: () => uniqueIds() }),
  defineChecker({
    name: 'session',
    description: 'read-your-writes, monotonic reads, monotonic writes, writes-follow-reads per session',
    options: { guarantees: opt.list({ doc: 'the guarantees to check (default: all)', values: SESSION_GUARANTEES, aliases: ['guarantees'] }) },
    create: ({ options }) => sessionGuarantees(options.guarantees !== undefined ? { guarantees: options.guarantees } : {}),
  }),
  defineChecker({ name: 'causal-reverse', description: 'no read sees a write without the writes that came before it', create: () => causalReverse() }),
  defineChecker({ name: 'long-fork', description: 'no two reads observe concurrent writes in opposite orders (snapshot isolation)', create: () => longFork() }),
  defineChecker({
    name: 'stale-reads',
    description: 'how stale non-linearizable register reads were, in versions and milliseconds',
    options: { initial: opt.string({ doc: 'the register value before any write, as JSON (default null)', aliases: ['initial'] }) },
    create: ({ options }) => staleReads(options.initial === undefined ? {} : { initial: jsonOrText(options.initial) }),
  }),
  defineChecker({
    name: 'availability',
    description: 'fraction of ok ops overall and in each fault window',
    options: { 'min-availability': opt.number({ doc: 'an overall fraction of ok ops below this is invalid', min: 0, max: 1, aliases: ['minAvailability'] }) },
    create: ({ options }) => availability(options['min-availability'] !== undefined ? { minAvailability: options['min-availability'] } : {}),
  }),
];
