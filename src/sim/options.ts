/**
 * The simulator's own options (`--opt sim.<name>=<value>`), declared like every part's and parsed
 * by the one option parser together with the options of the DB, workload and nemeses, so an
 * unknown key is refused with the keys that would work.
 */
import { opt } from '../options/schema.ts';
import { LATENCY_PROFILES } from './latency.ts';

export const DISK_PROFILES = ['fast', 'slow'] as const;

export const SIM_OPTIONS = {
  latency: opt.enum([...LATENCY_PROFILES, 'any'], {
    doc: `message latency profile: ${LATENCY_PROFILES.join(', ')}, or any (each seed draws one)`,
    default: 'any',
  }),
  disk: opt.enum([...DISK_PROFILES, 'any'], { doc: 'fsync latency: fast (0.05-1 ms), slow (2-20 ms), or any (each seed draws one)', default: 'any' }),
  swarm: opt.boolean({
    doc: 'each seed uses a random non-empty subset of the --nemesis kinds (swarm testing), instead of all of them',
    default: true,
  }),
  shrink: opt.boolean({ doc: 'shrink a failing seed to a minimal schedule and op sequence', default: true }),
  'shrink-time': opt.number({ doc: 'wall-clock seconds the shrinker may spend', default: 120, min: 1 }),
} as const;
