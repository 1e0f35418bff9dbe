// Test configuration: unit tests sit next to the code, end-to-end tests under test/. The global
// set-up installs what the suites need (as root), starts the Docker engine and builds dist/.
// Tests that need root (network namespaces) check for it themselves and skip with a reason.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{src,workloads,nemeses,checkers}/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
