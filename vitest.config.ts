import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // At least two files at once: most of the suite waits on sandboxes, Chromium, sockets and
    // databases rather than on the CPU, and vitest's default (cores − 1) is one on two cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['packages/server/test/global-setup.ts'],
  },
})
