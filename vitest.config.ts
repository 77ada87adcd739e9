import { defineConfig } from 'vitest/config';

// The MariaDB that .ci/run and docs/testing.md set up; any other server via TEST_DATABASE_URL.
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'mysql://barron:barron@127.0.0.1:3306/barron_test';

// Three projects: `unit` (everything on SQLite and fake-indexeddb), `mysql` (the database suites
// again on MariaDB via TEST_DATABASE_URL), `e2e` (Chromium against a real server).
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['sync/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts', 'tests/*.test.ts'],
          exclude: ['**/*.mysql.test.ts', 'node_modules/**'],
          env: { TEST_DIALECT: 'sqlite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'mysql',
          include: ['server/**/*.test.ts', 'tests/*.test.ts'],
          env: { TEST_DIALECT: 'mysql', TEST_DATABASE_URL },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
