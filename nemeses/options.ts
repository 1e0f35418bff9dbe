/**
 * The `--opt nemesis.*` keys: how faults are aimed and sized, parsed into NemesisOptions. Bad
 * values are usage errors naming the key and what it accepts.
 */
import { UsageError } from '../src/core/errors.ts';
import { SPACINGS, type Spacing } from './generators.ts';
import { PARTITION_SHAPES } from './partition.ts';
import type { ClockDirection, NemesisOptions } from './registry.ts';

export const NEMESIS_OPTIONS: Readonly<Record<string, string>> = {
  'nemesis.targets': 'nodes hit by kill, pause, clock and packet: one, minority, majority, primaries, all, or a list like n1,n3 (default: a random kind each time)',
  'nemesis.partition-shapes': `partition shapes to draw from, comma-separated: ${PARTITION_SHAPES.join(', ')} (default: all the DB supports)`,
  'nemesis.clock-max-delta-ms': 'largest clock jump in ms (default 262144); sizes are powers of two',
  'nemesis.clock-min-delta-ms': 'smallest clock jump in ms (default 16)',
  'nemesis.clock-direction': 'which way clock jumps go: back, forward or both (default both)',
  'nemesis.spacing': 'gaps between fault ops: random, uniform in [0, 2 x interval] as Jepsen staggers them (default), or fixed, exactly the interval, so every fault lasts one interval',
};

const DIRECTIONS: readonly ClockDirection[] = ['back', 'forward', 'both'];

type Parsed = Pick<NemesisOptions, 'targets' | 'partitionShapes' | 'maxClockDeltaMs' | 'minClockDeltaMs' | 'clockDirection' | 'spacing'>;

function deltaOpt(options: Readonly<Record<string, string>>, key: string): number | undefined {
  const text = options[key];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 16) throw new UsageError(`--opt ${key} must be an integer of at least 16, got ${JSON.stringify(text)}`);
  return n;
}

export function nemesisOptions(options: Readonly<Record<string, string>>): Parsed {
  const out: Parsed = {};
  const targets = options['nemesis.targets'];
  if (targets) out.targets = targets;
  const shapes = options['nemesis.partition-shapes'];
  if (shapes !== undefined) {
    const list = shapes.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) throw new UsageError(`--opt nemesis.partition-shapes needs at least one of ${PARTITION_SHAPES.join(', ')}`);
    out.partitionShapes = list;
  }
  const max = deltaOpt(options, 'nemesis.clock-max-delta-ms');
  if (max !== undefined) out.maxClockDeltaMs = max;
  const min = deltaOpt(options, 'nemesis.clock-min-delta-ms');
  if (min !== undefined) out.minClockDeltaMs = min;
  const direction = options['nemesis.clock-direction'];
  if (direction !== undefined) {
    if (!(DIRECTIONS as readonly string[]).includes(direction)) {
      throw new UsageError(`--opt nemesis.clock-direction must be one of ${DIRECTIONS.join(', ')}, got ${JSON.stringify(direction)}`);
    }
    out.clockDirection = direction as ClockDirection;
  }
  const spacing = options['nemesis.spacing'];
  if (spacing !== undefined) {
    if (!(SPACINGS as readonly string[]).includes(spacing)) {
      throw new UsageError(`--opt nemesis.spacing must be one of ${SPACINGS.join(', ')}, got ${JSON.stringify(spacing)}`);
    }
    out.spacing = spacing as Spacing;
  }
  return out;
}
