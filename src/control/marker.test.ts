// A daemon's environment: the provider's settings for every daemon (the fake clock) unless the
// spec opts out, the spec's own over them, and the run marker always last.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH, daemonEnv } from './marker.ts';

const FAKE_CLOCK = { LD_PRELOAD: '/lib/libfaketime.so.1', FAKETIME_TIMESTAMP_FILE: '/tmp/clock/n1' };

describe('daemonEnv', () => {
  it('starts daemons under the provider settings by default', () => {
    expect(daemonEnv({ argv: ['db'], logFile: '/l' }, FAKE_CLOCK, 'fl', 'n1')).toEqual({ PATH: DEFAULT_PATH, ...FAKE_CLOCK, FAULTLINE_RUN: 'fl', FAULTLINE_NODE: 'n1' });
  });

  it('leaves the fake clock out when the spec says fakeClock: false', () => {
    const env = daemonEnv({ argv: ['redis-server'], logFile: '/l', fakeClock: false, env: { HOME: '/root' } }, FAKE_CLOCK, 'fl', 'n2');
    expect(env).toEqual({ PATH: DEFAULT_PATH, HOME: '/root', FAULTLINE_RUN: 'fl', FAULTLINE_NODE: 'n2' });
  });

  it('lets the spec override PATH and provider settings, never the run marker', () => {
    const env = daemonEnv({ argv: ['db'], logFile: '/l', env: { PATH: '/opt/bin', LD_PRELOAD: '', FAULTLINE_RUN: 'other' } }, FAKE_CLOCK, 'fl', 'n1');
    expect(env).toMatchObject({ PATH: '/opt/bin', LD_PRELOAD: '', FAULTLINE_RUN: 'fl' });
  });
});
