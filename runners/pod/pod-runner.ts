/**
 * The agent image's entry point (bundled to runners/pod/dist/pod-runner.mjs by `npm run pod-runner:build`): runs
 * one triage from the PodRunSpec Watchkeeper mounted, then exits with a code from `podRunnerExitCodes`, the
 * reason on stderr and in the container's termination message, which Watchkeeper turns into the failure detail.
 */
import { writeFileSync } from 'node:fs';
import { podLocations } from './pod-inputs.ts';
import { podFailurePrefix, podPaths, podRunnerExitCodes } from './pod-run-spec.ts';
import { runInPod, type PodExit } from './run-in-pod.ts';

const warn = (message: string) => process.stderr.write(`${podFailurePrefix}${message}\n`);

function finish(exit: PodExit): void {
  if (exit.reason !== undefined) {
    const line = exit.reason.replace(/\s+/g, ' ');
    warn(line);
    try {
      // r+: only where the kubelet made the file (never create one under /dev on a plain host).
      writeFileSync(process.env.WATCHKEEPER_POD_TERMINATION_LOG ?? podPaths.terminationLog, line, {
        flag: 'r+',
      });
    } catch {
      // Outside Kubernetes there is no termination log: stderr has the reason.
    }
  }
  process.exitCode = exit.code;
}

const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());

runInPod(podLocations(), { signal: stop.signal, warn }).then(finish, (error: unknown) =>
  finish({
    code: podRunnerExitCodes.internal,
    reason: `the pod runner failed: ${error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 2).join(' ') : String(error)}`,
  }),
);
