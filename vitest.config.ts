import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'core/**/*.test.ts',
      'bot/**/*.test.ts',
      'listeners/**/*.test.ts',
      'runners/**/*.test.ts',
    ],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // test/dynamics runs its real-node scenarios side by side (each waits minutes on the kubelet's back-off).
    maxConcurrency: 12,
    // The AWS SDK's multi-line Node 20 notice would drown the test output; the CLI logs one line instead.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
