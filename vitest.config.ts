import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // conformance suites spawn their own parallel compilers: keep test files sequential
    fileParallelism: false,
    reporters: ['default'],
  },
});
