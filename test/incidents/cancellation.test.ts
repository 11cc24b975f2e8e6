/**
 * Cancellation that works, across processes: a Watchkeeper scheduler runs in its own OS process (real
 * PostgreSQL, NATS, local process groups or Jobs on the harness cluster) and Resolve comes from another process,
 * as it does from the Slack bot of another replica. What a person would notice is checked: the agent's
 * processes or its Job are gone within 2 s, and the run says who cancelled it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentId } from '../../core/domain/ids.ts';
import type { Incident } from '../../core/domain/incident.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Bus } from '../../core/ports/bus.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { createLifecycleService } from '../../core/services/lifecycle-service.ts';
import { createRunControl } from '../../core/services/run-control.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { processesInGroup } from './run-processes.ts';
import {
  queueIncidents,
  readLedger,
  startSchedulerProcess,
  type SchedulerProcess,
} from './scheduler-fixtures.ts';

const busyAgent = fileURLToPath(new URL('agents/busy-agent.sh', import.meta.url));
const alice = { type: 'slack-user', userId: 'U0ALICE' } as const;

describe('cancelling triage runs (real processes, PostgreSQL, NATS, Kubernetes Jobs)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let nats: Bus;
  let dir: string;
  let client: KubeClient;
  let namespace: string;
  const processes: SchedulerProcess[] = [];

  beforeAll(async () => {
    nats = await openNatsBus({ url: harness('nats').url });
    client = kubeClient(harness('kube').kubeconfigPath);
    await applyManifests(client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    namespace = await createNamespace(client, 'cancel');
  });
  afterAll(async () => {
    await nats.close();
    await deleteNamespace(client, namespace);
  });
  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    dir = await mkdtemp(join(tmpdir(), 'wk-cancel-'));
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    await store.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(owner: string, overrides: Record<string, string> = {}): Promise<SchedulerProcess> {
    const p = await startSchedulerProcess({
      DATABASE_URL: database.url,
      BUS_URL: harness('nats').url,
      OWNER: owner,
      LEDGER: join(dir, 'ledger'),
      WORK_ROOT: join(dir, 'work'),
      REPORTS_DIR: join(dir, 'reports'),
      KUBECONFIG_PATH: harness('kube').kubeconfigPath,
      JOBS_NAMESPACE: namespace,
      AGENT_SCRIPT: busyAgent,
      LEASE_MS: '1500',
      MAX_RUNS: '3',
      AGENT_MS: '1500',
      ...overrides,
    });
    processes.push(p);
    return p;
  }

  async function onlyIncident(): Promise<Incident> {
    const [incident] = await store.incidents.list({ limit: 10 });
    if (!incident) throw new Error('no incident was queued');
    return incident;
  }

  /** The incident's run once its sandbox is recorded (the process group started, the Job created). */
  async function runningRun(incidentId: IncidentId): Promise<TriageRun> {
    let found: TriageRun | undefined;
    await until(
      'a run with its sandbox recorded',
      async () => {
        found = (await store.runs.listByIncident(incidentId)).find(
          (run) => run.status === 'running' && run.sandbox !== undefined,
        );
        return found !== undefined;
      },
      60_000,
    );
    if (!found) throw new Error('unreachable');
    return found;
  }

  /** Resolve as the Slack bot does, from this process: the scheduler only hears it through NATS or the store. */
  async function resolveAsAlice(incidentId: IncidentId, bus: Bus = nats): Promise<number> {
    const lifecycle = createLifecycleService({ store, bus, logger: silentLogger });
    const at = Date.now();
    const result = await lifecycle.apply(
      incidentId,
      { type: 'incident.resolved', reason: 'resolved in Slack by U0ALICE', actor: alice, at: new Date() },
      'resolved in Slack by U0ALICE',
    );
    expect(result.ok).toBe(true);
    return at;
  }

  async function expectGroupGoneWithin(pgid: number, since: number, ms: number): Promise<number> {
    await until(
      `process group ${pgid} gone`,
      async () => (await processesInGroup(pgid)).length === 0,
      10_000,
      20,
    );
    const took = Date.now() - since;
    expect(took, `the agent's process group outlived Resolve by ${took} ms`).toBeLessThan(ms);
    return took;
  }

  async function jobGone(name: string): Promise<boolean> {
    try {
      await client.batch.readNamespacedJob({ name, namespace });
      return false;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return true;
      throw error;
    }
  }

  async function expectJobGoneWithin(name: string, since: number, ms: number): Promise<number> {
    await until(`Job ${name} gone`, () => jobGone(name), 10_000, 20);
    const took = Date.now() - since;
    expect(took, `the Job outlived Resolve by ${took} ms`).toBeLessThan(ms);
    const pods = await client.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
    expect(pods.items).toHaveLength(0);
    return took;
  }

  async function expectCancelledByAlice(runId: TriageRun['id']): Promise<void> {
    await until(
      'the run recorded as cancelled',
      async () => (await store.runs.get(runId))?.status === 'cancelled',
    );
    expect(await store.runs.get(runId)).toMatchObject({
      status: 'cancelled',
      cancellation: { by: { kind: 'user', userId: 'U0ALICE' } },
      failure: { reason: 'cancelled', detail: 'cancelled by U0ALICE' },
    });
    await until('the queue item completed', async () => (await store.queue.pending('triage')) === 0);
  }

  it('Resolve from another process kills the whole process group of a local run within 2 s, heard over NATS', async () => {
    await queueIncidents(store, 1);
    // The store check is pushed out of the way: only the bus message can stop the run in time.
    await start('local', { CONTROL_CHECK_MS: '60000' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const pgid = run.sandbox?.kind === 'local' ? run.sandbox.pid : 0;
    await until('the agent started its tools', async () => (await processesInGroup(pgid)).length >= 6);
    const took = await expectGroupGoneWithin(pgid, await resolveAsAlice(incident.id), 2_000);
    console.info(`local run: process group gone ${took} ms after Resolve (bus path)`);
    await expectCancelledByAlice(run.id);
    const ledger = await readLedger(join(dir, 'ledger'));
    expect(ledger.filter((line) => line.runId === run.id).map((line) => line.what)).toEqual(['start']);
    expect((await store.incidents.get(incident.id))?.state.status).toBe('resolved');
  }, 120_000);

  it('a cancel request the bus never delivered still stops the run within 2 s, from the store', async () => {
    await queueIncidents(store, 1);
    await start('local');
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const pgid = run.sandbox?.kind === 'local' ? run.sandbox.pid : 0;
    await until('the agent started its tools', async () => (await processesInGroup(pgid)).length >= 6);
    // This process's own in-memory bus: the message reaches no other process.
    const took = await expectGroupGoneWithin(
      pgid,
      await resolveAsAlice(incident.id, createMemoryBus()),
      2_000,
    );
    console.info(`local run: process group gone ${took} ms after Resolve (store path)`);
    await expectCancelledByAlice(run.id);
  }, 120_000);

  it('Resolve deletes a running Job within 2 s (foreground: its pods go first)', async () => {
    await queueIncidents(store, 1);
    await start('job', { LAUNCHER: 'job', CONTROL_CHECK_MS: '60000' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const name = run.sandbox?.kind === 'kubernetes-job' ? run.sandbox.name : '';
    await until('the Job has its pod', async () => {
      const pods = await client.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      return pods.items.length > 0;
    });
    const took = await expectJobGoneWithin(name, await resolveAsAlice(incident.id), 2_000);
    console.info(`Job run: Job gone ${took} ms after Resolve`);
    await expectCancelledByAlice(run.id);
  }, 120_000);

  it('after kill -9 of its Watchkeeper, the restarted one re-attaches to the Job, and Resolve still deletes it', async () => {
    await queueIncidents(store, 1);
    const first = await start('first', { LAUNCHER: 'job' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const name = run.sandbox?.kind === 'kubernetes-job' ? run.sandbox.name : '';
    first.child.kill('SIGKILL');
    await first.exited;

    await start('second', { LAUNCHER: 'job' });
    await until(
      'the restarted scheduler holds the run',
      async () => (await store.queue.get('triage', incident.id))?.leaseOwner?.endsWith(':second') === true,
      20_000,
    );
    // Re-attached, not run again: the same run goes on in the same Job.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await jobGone(name)).toBe(false);
    expect((await store.runs.listByIncident(incident.id)).map((r) => [r.id, r.status])).toEqual([
      [run.id, 'running'],
    ]);
    const took = await expectJobGoneWithin(name, await resolveAsAlice(incident.id), 2_000);
    console.info(`re-attached Job run: Job gone ${took} ms after Resolve`);
    await expectCancelledByAlice(run.id);
  }, 180_000);

  it("a forged cancel on the run's control subject (its own pod may publish there) stops nothing", async () => {
    await queueIncidents(store, 1);
    await start('local', { CONTROL_CHECK_MS: '60000' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const pgid = run.sandbox?.kind === 'local' ? run.sandbox.pid : 0;
    await until('the agent started its tools', async () => (await processesInGroup(pgid)).length >= 6);
    await nats.publish(subjects.runControl(run.id), {
      type: 'cancel',
      runId: run.id,
      by: { kind: 'user', userId: 'U0MALLORY' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await processesInGroup(pgid)).length).toBeGreaterThanOrEqual(6);
    expect(await store.runs.get(run.id)).toMatchObject({ status: 'running' });
    expect((await store.runs.get(run.id))?.cancellation).toBeUndefined();
    await expectGroupGoneWithin(pgid, await resolveAsAlice(incident.id), 5_000);
    await expectCancelledByAlice(run.id);
  }, 120_000);

  it('a newer run of the incident stops the older one wherever it runs, and the old replica writes nothing', async () => {
    await queueIncidents(store, 1);
    await start('old', { CONTROL_CHECK_MS: '60000' });
    const incident = await onlyIncident();
    const old = await runningRun(incident.id);
    const pgid = old.sandbox?.kind === 'local' ? old.sandbox.pid : 0;
    await until('the agent started its tools', async () => (await processesInGroup(pgid)).length >= 6);
    // What a replica that took the work over does: the old run is lost, a newer one starts.
    const lifecycle = createLifecycleService({ store, bus: nats, logger: silentLogger });
    const system = { type: 'system', component: 'test' } as const;
    await store.runs.update(old.id, {
      status: 'failed',
      finishedAt: new Date(),
      failure: { reason: 'lost', detail: 'taken over' },
    });
    await lifecycle.apply(
      incident.id,
      { type: 'triage.requeued', runId: old.id, reason: 'taken over', actor: system, at: new Date() },
      'taken over',
    );
    const newer = makeRun(incident, { status: 'starting', attempt: 2, createdAt: new Date() });
    await store.runs.create(newer);
    await lifecycle.apply(
      incident.id,
      { type: 'triage.started', runId: newer.id, actor: system, at: new Date() },
      'run 2 started',
    );
    const control = createRunControl({
      store,
      bus: nats,
      clock: { now: () => new Date() },
      logger: silentLogger,
    });
    const at = Date.now();
    await control.request(old.id, { kind: 'superseded', runId: newer.id });
    control.stop();
    await expectGroupGoneWithin(pgid, at, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await store.runs.get(old.id)).toMatchObject({
      status: 'failed',
      failure: { reason: 'lost', detail: 'taken over' },
      cancellation: { by: { kind: 'superseded', runId: newer.id } },
    });
    // The old replica did not mark the incident failed with its stopped run.
    expect((await store.incidents.history(incident.id)).map((t) => t.event)).not.toContain('triage.failed');
  }, 120_000);

  it('a replica that lost its claim (stalled past its lease) stops its Job and leaves the outcome to the new holder', async () => {
    await queueIncidents(store, 1);
    const stalled = await start('stalled', { LAUNCHER: 'job' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const name = run.sandbox?.kind === 'kubernetes-job' ? run.sandbox.name : '';
    stalled.child.kill('SIGSTOP');
    await start('healthy', { LAUNCHER: 'job' });
    await until(
      'the healthy replica holds the run',
      async () => (await store.queue.get('triage', incident.id))?.leaseOwner?.endsWith(':healthy') === true,
      20_000,
    );
    stalled.child.kill('SIGCONT');
    // The stalled one finds its claim gone and deletes its Job; the holder sees it vanish and runs the triage again.
    await until('the Job is gone', () => jobGone(name), 10_000);
    // Correctness, not speed: on a loaded machine the holder may take a while to see the Job vanish.
    await until(
      'a newer run started',
      async () => (await store.runs.listByIncident(incident.id)).length >= 2,
      60_000,
    );
    expect(await store.runs.get(run.id)).toMatchObject({
      status: 'failed',
      failure: { reason: 'lost' },
      cancellation: { by: { kind: 'lease_lost' } },
    });
    const events = (await store.incidents.history(incident.id)).map((t) => t.event);
    expect(events).not.toContain('triage.failed');
    expect(events.filter((e) => e === 'triage.requeued')).toHaveLength(1);
  }, 180_000);

  it('a Job run resolved while no Watchkeeper was up is deleted by the next one to start', async () => {
    await queueIncidents(store, 1);
    const first = await start('first', { LAUNCHER: 'job' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const name = run.sandbox?.kind === 'kubernetes-job' ? run.sandbox.name : '';
    first.child.kill('SIGKILL');
    await first.exited;
    await resolveAsAlice(incident.id);
    expect(await jobGone(name)).toBe(false);

    await start('next', { LAUNCHER: 'job' });
    await until('the Job is gone', () => jobGone(name), 20_000);
    await expectCancelledByAlice(run.id);
  }, 180_000);

  it('shutdown stops a local run and queues it again, recording why', async () => {
    await queueIncidents(store, 1);
    const p = await start('local', { MAX_RUNS: '1' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const pgid = run.sandbox?.kind === 'local' ? run.sandbox.pid : 0;
    await until('the agent started its tools', async () => (await processesInGroup(pgid)).length >= 6);
    p.child.kill('SIGTERM');
    await p.exited;
    expect(await processesInGroup(pgid)).toEqual([]);
    expect(await store.runs.get(run.id)).toMatchObject({
      status: 'failed',
      failure: { reason: 'lost' },
      cancellation: { by: { kind: 'shutdown' } },
    });
    expect((await store.incidents.get(incident.id))?.state.status).toBe('triage_queued');
    expect((await store.queue.get('triage', incident.id))?.leaseOwner).toBeUndefined();
  }, 120_000);

  it('shutdown leaves a Job run running and hands its claim back; the next Watchkeeper re-attaches at once', async () => {
    await queueIncidents(store, 1);
    const p = await start('first', { LAUNCHER: 'job', LEASE_MS: '30000' });
    const incident = await onlyIncident();
    const run = await runningRun(incident.id);
    const name = run.sandbox?.kind === 'kubernetes-job' ? run.sandbox.name : '';
    p.child.kill('SIGTERM');
    await p.exited;
    expect(await jobGone(name)).toBe(false);
    expect((await store.runs.get(run.id))?.status).toBe('running');
    expect((await store.runs.get(run.id))?.cancellation).toBeUndefined();
    expect((await store.queue.get('triage', incident.id))?.leaseOwner).toBeUndefined();

    // With a 30 s lease, only the handed-back claim lets the next one take over this quickly.
    await start('second', { LAUNCHER: 'job', LEASE_MS: '30000' });
    await until(
      'the next scheduler holds the run',
      async () => (await store.queue.get('triage', incident.id))?.leaseOwner?.endsWith(':second') === true,
      10_000,
    );
    expect(await jobGone(name)).toBe(false);
    await expectJobGoneWithin(name, await resolveAsAlice(incident.id), 5_000);
    await expectCancelledByAlice(run.id);
  }, 180_000);
});
