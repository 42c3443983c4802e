import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One embedded PostgreSQL for the persistence and durability suites (each file makes its own databases).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20000,
    hookTimeout: 30000,
    // Socket-heavy suites: run files one at a time so timing-sensitive tests stay stable on 2 cores.
    fileParallelism: false,
  },
});
