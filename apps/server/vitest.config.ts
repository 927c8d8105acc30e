import { defineConfig } from 'vitest/config';

// One database server per run (embedded or TEST_DATABASE_URL); each test file migrates its own schema.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
