/**
 * Runs one command as a local sandbox: by default inside bubblewrap (see bubblewrap.ts: only the workspace
 * writable, its own namespaces, an unprivileged user when Watchkeeper is root), with a minimal explicit
 * environment, its working folder as HOME, a deadline, and every process of the run killed at the end. With
 * `agents.localSandbox: none` it is only a process group (led by the sandbox guard, so it dies with
 * Watchkeeper). stdout and stderr go to files in the folder (the transcript).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bubblewrapCommand, runningAsRoot } from './bubblewrap.ts';
import type { LocalSandbox } from './local-sandbox.ts';
import { killGroup } from './process-group.ts';
import { chownTreeSync } from './workspace-owner.ts';

/** Leads the run's process group and takes it down if this process dies (see the script). */
const guardScript = fileURLToPath(new URL('sandbox-guard.mjs', import.meta.url));
/** Watchkeeper's deny hooks and kubectl guard, which run inside the sandbox. */
const hooksDir = fileURLToPath(new URL('../hooks/', import.meta.url));
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
  /** How the run is contained (`agents.localSandbox`). */
  readonly sandbox: LocalSandbox;
  /** Other programs the run starts (kubectl, the MCP server): shown read-only in the sandbox. */
  readonly tools?: readonly string[];
}

export type SandboxOutcome =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'timeout' | 'cancelled' }
  | { readonly kind: 'not_started'; readonly error: string };

export const stdoutFile = 'stdout.log';
export const stderrFile = 'stderr.log';

/** Files the command line names (a custom agent's script): shown read-only, never anything under the workspace. */
function namedFiles(args: readonly string[], workspace: string): string[] {
  return args.filter(
    (arg) =>
      isAbsolute(arg) &&
      arg.length < 4096 &&
      !arg.includes('\n') &&
      !arg.startsWith(`${workspace}/`) &&
      existsSync(arg),
  );
}

function spawnInSandbox(options: SandboxedProcessOptions, env: Record<string, string>): ChildProcess {
  const sandbox = options.sandbox;
  if (sandbox.kind === 'none') {
    return spawn(process.execPath, [guardScript, String(process.pid), options.command, ...options.args], {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
  }
  if (runningAsRoot()) chownTreeSync(options.cwd, sandbox.uid, sandbox.gid);
  const node = realpathSync(process.execPath);
  const bwrap = bubblewrapCommand(sandbox, {
    workspace: options.cwd,
    command: options.command,
    args: options.args,
    tools: [process.execPath, ...(options.tools ?? [])],
    readOnlyPaths: [hooksDir, dirname(dirname(node)), ...namedFiles(options.args, options.cwd)],
    path: env.PATH,
  });
  const child = spawn('bwrap', bwrap.argv, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env,
  });
  const argsPipe = child.stdio[3];
  if (argsPipe && 'end' in argsPipe) {
    argsPipe.on('error', () => undefined); // bwrap gone before reading: its exit says why
    argsPipe.end(bwrap.argsOnFd);
  }
  return child;
}

export async function runSandboxedProcess(options: SandboxedProcessOptions): Promise<SandboxOutcome> {
  const base = Object.fromEntries(
    passThrough.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const env: Record<string, string> = {
    ...base,
    HOME: options.cwd,
    ...(options.sandbox.kind === 'bubblewrap' && { TMPDIR: '/tmp' }),
    ...options.env,
  };
  let child: ChildProcess;
  try {
    child = spawnInSandbox(options, env);
  } catch (error) {
    return { kind: 'not_started', error: `could not start the sandbox: ${(error as Error).message}` };
  }
  child.stdout?.pipe(createWriteStream(join(options.cwd, stdoutFile)));
  child.stderr?.pipe(createWriteStream(join(options.cwd, stderrFile)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, exitSignal) => resolve({ code, signal: exitSignal }));
    },
  );
  const pid = child.pid;
  if (pid === undefined) {
    const { error } = await exited;
    const what = options.sandbox.kind === 'bubblewrap' ? 'the bubblewrap sandbox (bwrap)' : options.command;
    return {
      kind: 'not_started',
      error: `could not start ${what}: ${error?.message ?? 'unknown error'}`,
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
