import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/faults/**/*.test.ts', 'test/fleet/**/*.test.ts', 'test/billing-backend/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
