/**
 * Runs one command as a local sandbox: leader of its own process group (through the sandbox guard, so it dies
 * with Watchkeeper), a minimal environment, its own working folder as HOME, a deadline; the whole tree is killed
 * at the deadline or on abort. stdout and stderr go to files in the folder (the transcript).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup } from './process-group.ts';

/** Leads the run's process group and takes it down if this process dies (see the script). */
const guardScript = fileURLToPath(new URL('sandbox-guard.mjs', import.meta.url));
const passThrough = ['PATH', 'LANG', 'TZ'] as const;

export interface SandboxedProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to a minimal environment (PATH, LANG, TZ, HOME=cwd); nothing else of Watchkeeper's leaks in. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  readonly onSpawn: (pid: number) => Promise<void>;
}

export type SandboxOutcome =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'timeout' | 'cancelled' }
  | { readonly kind: 'not_started'; readonly error: string };

export const stdoutFile = 'stdout.log';
export const stderrFile = 'stderr.log';

export async function runSandboxedProcess(options: SandboxedProcessOptions): Promise<SandboxOutcome> {
  const base = Object.fromEntries(
    passThrough.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const child = spawn(
    process.execPath,
    [guardScript, String(process.pid), options.command, ...options.args],
    {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...base, HOME: options.cwd, ...options.env },
    },
  );
  child.stdout.pipe(createWriteStream(join(options.cwd, stdoutFile)));
  child.stderr.pipe(createWriteStream(join(options.cwd, stderrFile)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, exitSignal) => resolve({ code, signal: exitSignal }));
    },
  );
  const pid = child.pid;
  if (pid === undefined) {
    const { error } = await exited;
    return {
      kind: 'not_started',
      error: `could not start ${options.command}: ${error?.message ?? 'unknown error'}`,
    };
  }
  await options.onSpawn(pid);
  let stoppedFor: 'timeout' | 'cancelled' | undefined;
  const stop = (why: 'timeout' | 'cancelled') => {
    stoppedFor ??= why;
    void killGroup(pid, options.killGraceMs);
  };
  const deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('cancelled');
  if (options.signal.aborted) onAbort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await exited;
    await killGroup(pid, 0); // anything the agent left running in its group goes with it
    return stoppedFor ? { kind: stoppedFor } : { kind: 'exited', code: exit.code, signal: exit.signal };
  } finally {
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', onAbort);
  }
}

/** The last lines of the sandbox's stderr, for a failure message. */
export async function stderrTail(cwd: string, lines = 5): Promise<string> {
  const text = await readFile(join(cwd, stderrFile), 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-lines).join(' | ');
}
