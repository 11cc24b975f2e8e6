/**
 * Process plumbing for the test harness: services run detached, their state (pids, ports) is kept under
 * the cache folder so later test runs reuse what is already up, and a per-service lock keeps two concurrent
 * runs from starting the same service twice.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../runners/local/process-group.ts';

// An empty WATCHKEEPER_CACHE means the default, as in build-binaries.sh (`${WATCHKEEPER_CACHE:-…}`).
export const cacheRoot = resolve(
  process.env.WATCHKEEPER_CACHE?.trim()
    ? process.env.WATCHKEEPER_CACHE
    : join(homedir(), '.cache', 'watchkeeper'),
);
export const harnessRoot = join(cacheRoot, 'harness');

export function log(message: string): void {
  process.stderr.write(`harness: ${message}\n`);
}

export function serviceDir(service: string): string {
  return join(harnessRoot, service);
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

export interface DetachedOptions {
  readonly logFile: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/** Starts a long-lived service that outlives the test run; its output goes to `logFile`. */
export function spawnDetached(command: string, args: readonly string[], options: DetachedOptions): number {
  const out = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}

export function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `check` until it returns true; on timeout the error carries the service log's tail. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; logFile?: string; pid?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (options.pid !== undefined && !isAlive(options.pid)) {
      throw new Error(`${what}: the process exited.\n${options.logFile ? tail(options.logFile) : ''}`);
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `${what}: not ready after ${options.timeoutMs} ms${detail}.\n${options.logFile ? tail(options.logFile) : ''}`,
      );
    }
    await sleep(250);
  }
}

export async function readState<T>(service: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(serviceDir(service), 'state.json'), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function writeState(service: string, state: unknown): Promise<void> {
  await mkdir(serviceDir(service), { recursive: true });
  await writeFile(join(serviceDir(service), 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

export async function clearState(service: string): Promise<void> {
  await rm(join(serviceDir(service), 'state.json'), { force: true });
}

/** Runs `fn` holding an exclusive, stale-safe lock for `service` (a lock whose owner died is taken over). */
export async function withLock<T>(service: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(harnessRoot, { recursive: true });
  const lockFile = join(harnessRoot, `${service}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const owner = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
      if (!owner || !isAlive(owner)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`harness: ${service} lock held by pid ${owner} for too long`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/** Stops pids started by the harness: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopPids(pids: readonly number[], graceMs = 10_000): Promise<void> {
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export interface ServiceHandle<Info> {
  readonly info: Info;
  readonly pids: readonly number[];
}

/**
 * Reuses a running service when its recorded pids are alive and `probe` answers; otherwise stops leftovers and
 * starts it afresh.
 */
export async function reuseOrStart<Info>(
  service: string,
  probe: (info: Info) => Promise<boolean>,
  start: () => Promise<ServiceHandle<Info>>,
): Promise<Info> {
  return withLock(service, async () => {
    const state = await readState<ServiceHandle<Info>>(service);
    if (state && state.pids.every(isAlive) && (await probe(state.info).catch(() => false))) {
      log(`${service}: reusing the running instance`);
      return state.info;
    }
    if (state) await stopPids(state.pids);
    await clearState(service);
    const started = Date.now();
    log(`${service}: starting...`);
    const handle = await start();
    await writeState(service, handle);
    log(`${service}: ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return handle.info;
  });
}

export interface BinaryManifest {
  readonly etcd: string;
  readonly kwok: string;
  /** The kwok Stage CRD and the stock node/pod stages, copied from kwok's module by build-binaries.sh. */
  readonly kwokStageCrd: string;
  readonly kwokStages: string;
  readonly versitygw: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  /** The real node's kubelet and its images (docker-archives); absent in manifests of older harness code. */
  readonly kubelet?: string;
  readonly nodeImages?: string;
  /** kubectl, built from the same modules, for the agent image. */
  readonly kubectl?: string;
  /** The agent image (docker-archive) and its name; archive empty when the machine could not build it. */
  readonly agentImage?: { readonly name: string; readonly archive: string };
  readonly kubernetesVersion: string;
  /** The read-only Kubernetes MCP server agents get (npm kubernetes-mcp-server, installed outside the repo). */
  readonly kubernetesMcpServer: string;
  /** The agent CLIs from npm, installed outside the repo like the MCP server. */
  readonly agents: Readonly<Record<'claude-code' | 'codex' | 'gemini' | 'goose', string>>;
}

/** The Go-built binaries; `.ci/run` (or `test/harness/build-binaries.sh`) builds them. */
export function binaries(): BinaryManifest {
  const manifest = join(cacheRoot, 'bin', 'manifest.json');
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')) as BinaryManifest;
  } catch {
    throw new Error(
      `harness: ${manifest} is missing. Build the test binaries first: bash test/harness/build-binaries.sh ` +
        '(needs the Go toolchain; a cold build takes about 10 minutes).',
    );
  }
}
