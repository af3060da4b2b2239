import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/local/**/*.test.ts'] } },
      {
        extends: true,
        // Synthesis bundles ~45 functions with esbuild: minutes on a loaded 2-core machine.
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
      },
      {
        extends: true,
        test: {
          name: 'cloud',
          // Against real local services on 2 cores: room for a loaded machine, not a timing claim.
          testTimeout: 60_000,
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/local-cloud.ts'],
        },
      },
    ],
  },
});
