import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import type { IncidentId } from '../../core/domain/ids.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { later, makeFault, makeRun, t0 } from '../fixtures/domain.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices, type IncidentServices } from './incident-harness.ts';

const minute = 60_000;

describe('one problem, one incident, one triage (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let now: Date;
  const clock: Clock = { now: () => now };
  const at = (ms: number) => (now = later(t0, ms));

  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    now = t0;
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const loop = (overrides: Partial<Fault> = {}): Fault =>
    makeFault({ faultId: 'loop-1', class: 'ContainerErrorExit', observedAt: now, ...overrides });
  const triageRequests = async (id: IncidentId) =>
    (await store.incidents.history(id)).filter((t) => t.event === 'triage.requested').length;

  /** Takes the incident through a successful triage, as the scheduler would. */
  async function report(services: IncidentServices, id: IncidentId, finishedAt: Date) {
    const run = makeRun({ id }, { status: 'succeeded', createdAt: finishedAt, finishedAt });
    await store.runs.create(run);
    const actor = { type: 'system', component: 'test' } as const;
    await services.lifecycle.apply(
      id,
      { type: 'triage.started', runId: run.id, at: finishedAt, actor },
      'test',
    );
    await services.lifecycle.apply(
      id,
      { type: 'triage.succeeded', runId: run.id, at: finishedAt, actor },
      'test',
    );
    return run;
  }

  it('treats a class refinement of a firing fault as an update of its member, never a new incident or triage', async () => {
    const services = incidentServices(store, { clock });
    const opened = await services.intake.ingest(loop());
    if (opened.kind !== 'opened') throw new Error(`expected opened, got ${opened.kind}`);
    expect(
      await services.intake.ingest(loop({ class: 'CrashLoopBackOff', observedAt: at(10_000) })),
    ).toMatchObject({
      kind: 'refined',
      incidentId: opened.incidentId,
      from: 'ContainerErrorExit',
      to: 'CrashLoopBackOff',
    });
    expect(
      await services.intake.ingest(
        loop({ class: 'OOMKilled', severity: 'critical', observedAt: at(40_000) }),
      ),
    ).toMatchObject({ kind: 'refined', from: 'CrashLoopBackOff', to: 'OOMKilled' });
    // A re-observation of the same class is only a refresh.
    expect((await services.intake.ingest(loop({ class: 'OOMKilled', observedAt: at(80_000) }))).kind).toBe(
      'already_member',
    );

    expect(await store.incidents.list()).toHaveLength(1);
    expect(await triageRequests(opened.incidentId)).toBe(1);
    expect(await store.queue.pending('triage')).toBe(1);
    expect((await store.faults.get('prod-eu', 'loop-1'))?.fault.class).toBe('OOMKilled');
    const incident = await store.incidents.get(opened.incidentId);
    expect(incident).toMatchObject({ faultCount: 1, severity: 'critical' });
  });

  it('reopens without a second triage while the report is fresh, and triages again once it is old', async () => {
    const services = incidentServices(store, {
      clock,
      settings: { dedup: { reopenWindowMs: 30 * minute }, retriageAfterMs: 10 * minute },
    });
    const opened = await services.intake.ingest(loop());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    const run = await report(services, opened.incidentId, at(minute));
    await services.intake.ingest(loop({ resolved: true, observedAt: at(2 * minute) }));

    expect(await services.intake.ingest(loop({ observedAt: at(3 * minute) }))).toMatchObject({
      kind: 'reopened',
      retriaged: false,
    });
    expect((await store.incidents.get(opened.incidentId))?.state).toEqual({
      status: 'reported',
      runId: run.id,
    });
    expect(await triageRequests(opened.incidentId)).toBe(1);

    await services.intake.ingest(loop({ resolved: true, observedAt: at(4 * minute) }));
    expect(await services.intake.ingest(loop({ observedAt: at(12 * minute) }))).toMatchObject({
      kind: 'reopened',
      retriaged: true,
    });
    expect(await triageRequests(opened.incidentId)).toBe(2);
  });

  it('triages again on a recurrence when the resolution had stopped the triage before it concluded', async () => {
    const services = incidentServices(store, { clock });
    const opened = await services.intake.ingest(loop());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    // Resolved 14 s in, while the triage was still queued: nothing concluded, so the recurrence needs one.
    await services.intake.ingest(loop({ resolved: true, observedAt: at(14_000) }));
    expect(await services.intake.ingest(loop({ observedAt: at(74_000) }))).toMatchObject({
      kind: 'reopened',
      retriaged: true,
    });
    expect(await triageRequests(opened.incidentId)).toBe(2);
  });
});
