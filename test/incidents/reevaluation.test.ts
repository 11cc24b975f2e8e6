import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { isOpen } from '../../core/domain/incident-state.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { reevaluateIncidents } from '../../core/services/incident-reevaluator.ts';
import type { IncidentSettings } from '../../core/services/incident-settings.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { later, makeFault, t0 } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices, type IncidentServices } from './incident-harness.ts';

const minute = 60_000;

describe('every incident resolves: quiet re-evaluation and fault TTLs (real PostgreSQL)', () => {
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

  const settings: Partial<IncidentSettings> = {
    flap: { windowMs: 10 * minute, threshold: 3 },
    quietPeriodMs: 5 * minute,
    faultTtlMs: new Map([['mcp:fork', 30 * minute]]),
  };
  const reevaluate = (services: IncidentServices) =>
    reevaluateIncidents(
      { store, lifecycle: services.lifecycle, clock, logger: silentLogger },
      { quietPeriodMs: 5 * minute, faultTtlMs: settings.faultTtlMs ?? new Map() },
    );
  const crash = (overrides: Partial<Fault> = {}): Fault =>
    makeFault({ faultId: 'crash-1', observedAt: now, ...overrides });

  it('resolves a flap-held incident once its faults stay clear for the quiet period, with the reason on it', async () => {
    const services = incidentServices(store, { clock, settings });
    const { intake } = services;
    const opened = await intake.ingest(crash());
    if (opened.kind !== 'opened') throw new Error(`expected opened, got ${opened.kind}`);
    await intake.ingest(crash({ resolved: true, observedAt: at(1_000) }));
    await intake.ingest(crash({ observedAt: at(2_000) }));
    // The third change makes the fault flapping: this clear is held back and the incident stays open.
    expect(await intake.ingest(crash({ resolved: true, observedAt: at(3_000) }))).toMatchObject({
      kind: 'cleared',
    });
    expect((await store.incidents.get(opened.incidentId))?.state.status).not.toBe('resolved');

    at(3_000 + 5 * minute - 1);
    expect((await reevaluate(services)).resolved).toEqual([]);
    at(3_000 + 5 * minute);
    expect((await reevaluate(services)).resolved).toEqual([
      { incidentId: opened.incidentId, reason: 'every fault clear for 5 min' },
    ]);
    expect((await store.incidents.get(opened.incidentId))?.state).toEqual({
      status: 'resolved',
      reason: 'every fault clear for 5 min',
    });
    const last = (await store.incidents.history(opened.incidentId)).at(-1);
    expect(last).toMatchObject({
      event: 'incident.resolved',
      to: 'resolved',
      actor: { type: 'system', component: 'incident-reevaluator' },
    });
  });

  it('never resolves an incident while one of its faults fires again within the quiet period', async () => {
    const services = incidentServices(store, { clock, settings });
    const { intake } = services;
    const opened = await intake.ingest(crash());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    for (let i = 1; i <= 3; i += 1)
      await intake.ingest(crash({ resolved: i % 2 === 1, observedAt: at(i * 1000) }));
    await intake.ingest(crash({ observedAt: at(4 * minute) }));
    at(20 * minute);
    expect((await reevaluate(services)).resolved).toEqual([]);
    expect(isOpen((await store.incidents.get(opened.incidentId))?.state ?? { status: 'closed' })).toBe(true);
  });

  it('expires a fault from a source that never resolves, records why, and resolves its incident', async () => {
    const services = incidentServices(store, { clock, settings });
    const fork = (overrides: Partial<Fault> = {}) =>
      crash({ faultId: 'fork-1', source: { kind: 'mcp', name: 'fork' }, ...overrides });
    const watcher = crash({
      faultId: 'watched-1',
      resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'other', name: 'db-0', uid: 'u-db' },
      context: { owners: [{ kind: 'StatefulSet', name: 'db' }] },
    });
    const opened = await services.intake.ingest(fork());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    await services.intake.ingest(watcher);
    // A refresh inside the TTL keeps the fault firing.
    await services.intake.ingest(fork({ observedAt: at(20 * minute) }));
    at(49 * minute);
    expect(await reevaluate(services)).toEqual({ expired: 0, resolved: [] });
    at(50 * minute);
    expect((await reevaluate(services)).expired).toBe(1);
    const stored = await store.faults.get('prod-eu', 'fork-1');
    expect(stored?.fault).toMatchObject({
      resolved: true,
      observedAt: later(t0, 50 * minute),
      context: {
        resolution: { expired: true, reason: 'expired: not observed again within 30 min from mcp:fork' },
      },
    });
    // The watcher's own fault never expires (no TTL for its source).
    expect((await store.faults.get('prod-eu', 'watched-1'))?.fault.resolved).toBe(false);
    expect((await store.incidents.get(opened.incidentId))?.state.status).not.toBe('resolved');

    at(55 * minute - 1);
    expect((await reevaluate(services)).resolved).toEqual([]);
    at(55 * minute);
    expect((await reevaluate(services)).resolved).toEqual([
      { incidentId: opened.incidentId, reason: 'faults from mcp:fork expired after 30 min without refresh' },
    ]);
    const open = (await store.incidents.list()).filter((incident) => isOpen(incident.state));
    expect(open.map((incident) => incident.fingerprint)).toEqual(['workload:StatefulSet/other/db']);
  });

  it('leaves no open incident without a firing fault once the quiet period has passed', async () => {
    const services = incidentServices(store, { clock, settings });
    const { intake } = services;
    const fork = (i: number, overrides: Partial<Fault> = {}) =>
      makeFault({
        faultId: `fork-${i}`,
        source: { kind: 'mcp', name: 'fork' },
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: `ns-${i}`, name: `lone-${i}`, uid: `u-${i}` },
        context: {},
        observedAt: now,
        ...overrides,
      });
    for (let i = 0; i < 4; i += 1) await intake.ingest(fork(i));
    // A flap-held one, one that keeps firing, two that are simply never heard of again.
    for (let i = 1; i <= 3; i += 1)
      await intake.ingest(fork(0, { resolved: i % 2 === 1, observedAt: at(i * 1000) }));
    await intake.ingest(fork(1, { observedAt: at(40 * minute) }));
    at(36 * minute);
    await reevaluate(services);
    const open = (await store.incidents.list({ limit: 100 })).filter((i) => isOpen(i.state));
    expect(open).toHaveLength(1);
    expect(await store.incidents.countFiringMembers(open[0]?.id ?? ('' as never))).toBe(1);
  });
});
