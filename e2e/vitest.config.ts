import { defineConfig } from 'vitest/config';

/** Browser tests: the built server (dist/, web/dist/) in Debian's Chromium via playwright-core. */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.e2e.ts'],
    globalSetup: ['./helpers/global-setup.ts'],
    // One server and a handful of browsers on a 2-core machine: one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
