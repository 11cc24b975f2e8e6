#!/usr/bin/env node
import { runCli } from './main.ts';

// On Node 20 the AWS SDK prints a multi-line notice to stderr; the start log carries a one-line note instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const stopRequested = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      resolve(signal);
      // A second signal means "now": skip the graceful path.
      process.once(signal, () => process.exit(130));
    });
  }
});

const code = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stopRequested,
});
process.exitCode = code;
// Anything still holding the event loop after a clean stop is a bug, but must not keep the process alive.
setTimeout(() => process.exit(code), 5_000).unref();
