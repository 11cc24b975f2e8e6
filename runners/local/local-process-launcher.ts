/**
 * The plainest launcher: one fixed command per run; exit 0 is success. The scheduler tests use it (their stand-in
 * agents write a shared ledger, so it runs them as a bare process group unless `sandbox` says otherwise);
 * Watchkeeper's agent runs go through the triage launcher, which is sandboxed by default.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../core/ports/logger.ts';
import type { LaunchRequest, RunResult, TriageLauncher } from '../../core/ports/triage-launcher.ts';
import type { LocalSandbox } from './local-sandbox.ts';
import { isProcessOfRun, killGroup } from './process-group.ts';
import { runSandboxedProcess, stderrTail, type SandboxOutcome } from './sandboxed-process.ts';

export interface LocalProcessLauncherOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment for the agent (API keys, base URLs); nothing else of Watchkeeper's environment leaks. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each run gets `<workRoot>/<runId>/` as its working folder and home. */
  readonly workRoot: string;
  readonly logger: Logger;
  readonly killGraceMs?: number;
  /** Default `none`: a process group with a minimal environment, nothing more. */
  readonly sandbox?: LocalSandbox;
}

/** How a sandbox's end reads as a run result (exit 0 = success). */
export async function outcomeToResult(
  outcome: SandboxOutcome,
  cwd: string,
  timeoutMs: number,
): Promise<RunResult> {
  switch (outcome.kind) {
    case 'not_started':
      return { ok: false, failure: { reason: 'sandbox_error', detail: outcome.error } };
    case 'timeout':
      return {
        ok: false,
        failure: { reason: 'timeout', detail: `stopped after ${Math.round(timeoutMs / 1000)} s` },
      };
    case 'cancelled':
      return { ok: false, failure: { reason: 'cancelled', detail: 'stopped on request' } };
    case 'exited': {
      if (outcome.code === 0) return { ok: true };
      const tail = await stderrTail(cwd);
      const how = outcome.code ?? outcome.signal ?? 'unknown';
      return {
        ok: false,
        failure: { reason: 'crashed', detail: `exited with ${how}${tail ? `: ${tail}` : ''}` },
      };
    }
  }
}

/** A local run left behind by a dead Watchkeeper cannot be followed: make sure it is gone, then run it again. */
export async function stopLeftoverLocalRun(
  run: Parameters<TriageLauncher['reattach']>[0],
  graceMs: number,
  logger: Logger,
): Promise<undefined> {
  const sandbox = run.sandbox;
  if (
    sandbox?.kind === 'local' &&
    sandbox.host === hostname() &&
    (await isProcessOfRun(sandbox.pid, run.id))
  ) {
    logger.info({ runId: run.id, pid: sandbox.pid }, 'stopping a run left behind by a stopped process');
    await killGroup(sandbox.pid, graceMs);
  }
  return undefined;
}

export function createLocalProcessLauncher(options: LocalProcessLauncherOptions): TriageLauncher {
  const graceMs = options.killGraceMs ?? 5_000;
  return {
    runner: 'local',
    async launch(request: LaunchRequest): Promise<RunResult> {
      const { run, incident, budget, signal } = request;
      const dir = join(options.workRoot, run.id);
      await mkdir(dir, { recursive: true });
      const outcome = await runSandboxedProcess({
        command: options.command,
        args: options.args,
        cwd: dir,
        env: {
          ...options.env,
          WATCHKEEPER_RUN_ID: run.id,
          WATCHKEEPER_INCIDENT_ID: incident.id,
          WATCHKEEPER_DEADLINE: new Date(Date.now() + budget.wallTimeMs).toISOString(),
        },
        timeoutMs: budget.wallTimeMs,
        signal,
        killGraceMs: graceMs,
        sandbox: options.sandbox ?? { kind: 'none' },
        onSpawn: (pid) => request.onSandbox({ kind: 'local', pid, host: hostname() }),
      });
      return outcomeToResult(outcome, dir, budget.wallTimeMs);
    },
    reattach: (run) => stopLeftoverLocalRun(run, graceMs, options.logger),
  };
}
