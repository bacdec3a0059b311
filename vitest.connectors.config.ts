import { defineConfig } from 'vitest/config';

/**
 * `npm run coverage:connectors`: the connectors' unit tests with v8 line coverage of `connectors/`
 * (issue 6: at least 90%). Pure functions only, so no global setup (no Redis or Kafka needed).
 * Every file under `connectors/` counts, also one no test loads.
 */
export default defineConfig({
  test: {
    include: ['test/unit/connectors/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['connectors/**/*.ts'],
      reportsDirectory: './coverage/connectors',
      reporter: ['text', 'text-summary', 'json-summary'],
      thresholds: { lines: 90 },
    },
  },
});
