import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: pure tests (domain, policies, pure adapter mappers, the architecture rules) that need no
 * service, no Go binary and no harness; `npm run test:unit` runs them alone. `integration`: everything else,
 * against the real services the harness (test/harness/global-setup.ts) starts. `npm test` runs both.
 */
export const unitTests = [
  'test/core/**/*.test.ts',
  'test/architecture/**/*.test.ts',
  'test/unit/**/*.test.ts',
  'core/**/*.test.ts',
];

/** Every test file, as the `integration` project finds them (it leaves out the unit ones). */
export const allTests = [
  'test/**/*.test.ts',
  'core/**/*.test.ts',
  'bot/**/*.test.ts',
  'listeners/**/*.test.ts',
  'runners/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // The AWS SDK's multi-line Node 20 notice would drown the test output; the CLI logs one line instead.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitTests,
          // Pure tests share module state safely, so one worker per core loads vitest, zod and TypeScript once.
          pool: 'threads',
          isolate: false,
          // No services here: a test that asks for one fails with harness()'s "was not started" message.
          provide: { harness: {} },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: allTests,
          exclude: [...configDefaults.exclude, ...unitTests],
          globalSetup: ['test/harness/global-setup.ts'],
          // test/dynamics runs its real-node scenarios side by side (each waits minutes on the kubelet's back-off).
          maxConcurrency: 12,
        },
      },
    ],
  },
});
