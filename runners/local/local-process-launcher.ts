/**
 * The embedded default sandbox: the agent command runs as a local process, leader of its own process group,
 * with a minimal environment and its own working folder; the whole tree is killed at the deadline or on cancel.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../core/ports/logger.ts';
import type { LaunchRequest, RunResult, TriageLauncher } from '../../core/ports/triage-launcher.ts';
import { isProcessOfRun, killGroup } from './process-group.ts';

export interface LocalProcessLauncherOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment for the agent (API keys, base URLs); nothing else of Watchkeeper's environment leaks. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each run gets `<workRoot>/<runId>/` as its working folder and home. */
  readonly workRoot: string;
  readonly logger: Logger;
  readonly killGraceMs?: number;
}

const passThrough = ['PATH', 'LANG', 'TZ'] as const;
/** Leads the run's process group and takes it down if this process dies (see the script). */
const guardScript = fileURLToPath(new URL('sandbox-guard.mjs', import.meta.url));

export function createLocalProcessLauncher(options: LocalProcessLauncherOptions): TriageLauncher {
  const graceMs = options.killGraceMs ?? 5_000;

  async function launch(request: LaunchRequest): Promise<RunResult> {
    const { run, incident, budget, signal } = request;
    const dir = join(options.workRoot, run.id);
    await mkdir(dir, { recursive: true });
    const base = Object.fromEntries(
      passThrough.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
    );
    const child = spawn(
      process.execPath,
      [guardScript, String(process.pid), options.command, ...options.args],
      {
        cwd: dir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...base,
          HOME: dir,
          ...options.env,
          WATCHKEEPER_RUN_ID: run.id,
          WATCHKEEPER_INCIDENT_ID: incident.id,
          WATCHKEEPER_DEADLINE: new Date(Date.now() + budget.wallTimeMs).toISOString(),
        },
      },
    );
    child.stdout.pipe(createWriteStream(join(dir, 'stdout.log')));
    child.stderr.pipe(createWriteStream(join(dir, 'stderr.log')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
      (resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
        child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal }));
      },
    );
    const pid = child.pid;
    if (pid === undefined) {
      const { error } = await exited;
      return {
        ok: false,
        failure: {
          reason: 'sandbox_error',
          detail: `could not start ${options.command}: ${error?.message ?? 'unknown error'}`,
        },
      };
    }
    await request.onSandbox({ kind: 'local', pid, host: hostname() });

    let stoppedFor: 'timeout' | 'cancelled' | undefined;
    const stop = (why: 'timeout' | 'cancelled') => {
      stoppedFor ??= why;
      void killGroup(pid, graceMs);
    };
    const deadline = setTimeout(() => stop('timeout'), budget.wallTimeMs);
    const onAbort = () => stop('cancelled');
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const exit = await exited;
      // Anything the agent left running in its group goes with it.
      await killGroup(pid, 0);
      if (stoppedFor === 'timeout') {
        return {
          ok: false,
          failure: { reason: 'timeout', detail: `stopped after ${Math.round(budget.wallTimeMs / 1000)} s` },
        };
      }
      if (stoppedFor === 'cancelled')
        return { ok: false, failure: { reason: 'cancelled', detail: 'stopped on request' } };
      if (exit.code === 0) return { ok: true };
      const tail = (await readFile(join(dir, 'stderr.log'), 'utf8').catch(() => ''))
        .trim()
        .split('\n')
        .slice(-5)
        .join(' | ');
      return {
        ok: false,
        failure: {
          reason: 'crashed',
          detail: `exited with ${exit.code ?? exit.signal ?? 'unknown'}${tail ? `: ${tail}` : ''}`,
        },
      };
    } finally {
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    runner: 'local',
    launch,
    async reattach(run) {
      // A local process cannot be followed by another Watchkeeper process: make sure it is gone, then run again.
      const sandbox = run.sandbox;
      if (
        sandbox?.kind === 'local' &&
        sandbox.host === hostname() &&
        (await isProcessOfRun(sandbox.pid, run.id))
      ) {
        options.logger.info(
          { runId: run.id, pid: sandbox.pid },
          'stopping a run left behind by a stopped process',
        );
        await killGroup(sandbox.pid, graceMs);
      }
      return undefined;
    },
  };
}
