// Test configuration: unit tests sit next to the code, end-to-end tests under test/.
// Tests that need root (network namespaces) check for it themselves and skip with a reason.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{src,workloads,nemeses,checkers}/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
