/** Process-group plumbing for local sandboxes: a run is the leader of its own group, so the whole tree goes. */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** SIGTERM to the whole group, then SIGKILL after `graceMs` if anything in it is still alive. */
export async function killGroup(pid: number, graceMs: number): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  signalGroup(pid, 'SIGKILL');
}

/** True when `pid` is alive and is the process started for `runId` (guards against a recycled pid). */
export async function isProcessOfRun(pid: number, runId: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    return environ.split('\0').includes(`WATCHKEEPER_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}
