/** Shared set-up for the scheduling tests: incidents queued through the real intake, scheduler processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { OpenedStore } from '../../core/store/open-store.ts';
import { makeFault } from '../fixtures/domain.ts';
import { incidentServices } from './incident-harness.ts';
import { ingestConcurrently } from './storm-scenario.ts';

/** `count` incidents, one per Deployment, each with its triage queued. */
export async function queueIncidents(store: OpenedStore, count: number): Promise<void> {
  const { intake } = incidentServices(store);
  const faults = Array.from({ length: count }, (_, i) =>
    makeFault({
      faultId: `crash-svc-${i}`,
      resource: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'shop',
        name: `svc-${i}-abc`,
        uid: `uid-svc-${i}`,
      },
      context: { owners: [{ kind: 'Deployment', name: `svc-${i}` }] },
    }),
  );
  await ingestConcurrently(intake, faults, 8);
}

export interface LedgerLine {
  readonly what: 'start' | 'end';
  readonly incidentId: string;
  readonly runId: string;
  readonly at: number;
}

export async function readLedger(path: string): Promise<LedgerLine[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [what, incidentId, runId, at] = line.split(' ');
      return {
        what: what as LedgerLine['what'],
        incidentId: incidentId ?? '',
        runId: runId ?? '',
        at: Number(at),
      };
    });
}

export interface SchedulerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

export async function startSchedulerProcess(env: Record<string, string>): Promise<SchedulerProcess> {
  const script = fileURLToPath(new URL('scheduler-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`scheduler process exited with ${String(code)}: ${stderr}`)),
    );
  });
  return { child, exited };
}
