import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { closeQuietIncidents } from '../../core/services/quiet-closer.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { later, makeFault, t0 } from '../fixtures/domain.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices } from './incident-harness.ts';

describe('fault intake through the incident lifecycle (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let now: Date;
  const clock: Clock = { now: () => now };

  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    now = t0;
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const crash = (overrides: Partial<Fault> = {}): Fault =>
    makeFault({ faultId: 'crash-checkout-1', observedAt: now, ...overrides });
  const at = (ms: number) => {
    now = later(t0, ms);
    return now;
  };

  it('resolves the incident when its faults clear, reopens it on a recurrence inside the window, and records who and why', async () => {
    const { intake } = incidentServices(store, { clock, settings: { dedup: { reopenWindowMs: 60_000 } } });
    const opened = await intake.ingest(crash());
    expect(opened.kind).toBe('opened');
    if (opened.kind !== 'opened') throw new Error('unreachable');

    expect(await intake.ingest(crash({ resolved: true, observedAt: at(1000) }))).toMatchObject({
      kind: 'resolved',
    });
    expect((await store.incidents.get(opened.incidentId))?.state).toEqual({
      status: 'resolved',
      reason: 'every fault cleared (last: CrashLoopBackOff on Pod/shop/checkout-7d9f-abcde)',
    });

    expect(await intake.ingest(crash({ observedAt: at(61_000) }))).toMatchObject({
      kind: 'reopened',
      incidentId: opened.incidentId,
      retriaged: true,
    });
    const history = await store.incidents.history(opened.incidentId);
    expect(history.map((h) => `${h.from}->${h.to}`)).toEqual([
      'detected->triage_queued',
      'triage_queued->resolved',
      'resolved->detected',
      'detected->triage_queued',
    ]);
    expect(history[1]).toMatchObject({ actor: { type: 'fault-source', source: 'kube-watcher:watcher' } });
    expect((await store.audit.listByIncident(opened.incidentId)).map((a) => a.action)).toEqual([
      'incident.opened',
    ]);
  });

  it('closes a resolved incident after the quiet period, and not before', async () => {
    const services = incidentServices(store, { clock });
    const opened = await services.intake.ingest(crash());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    await services.intake.ingest(crash({ resolved: true, observedAt: at(1000) }));
    const deps = { store, lifecycle: services.lifecycle, clock };
    at(1000 + 3_600_000);
    expect(await closeQuietIncidents(deps, { closeAfterMs: 3_600_000 })).toBe(0);
    at(1000 + 3_600_001);
    expect(await closeQuietIncidents(deps, { closeAfterMs: 3_600_000 })).toBe(1);
    expect((await store.incidents.get(opened.incidentId))?.state.status).toBe('closed');
  });

  it('opens a new incident linked to the old one when the recurrence comes after the window', async () => {
    const { intake } = incidentServices(store, { clock, settings: { dedup: { reopenWindowMs: 60_000 } } });
    const first = await intake.ingest(crash());
    await intake.ingest(crash({ resolved: true, observedAt: at(1000) }));
    const second = await intake.ingest(crash({ observedAt: at(61_001) }));
    expect(second.kind).toBe('opened');
    if (second.kind !== 'opened' || first.kind !== 'opened') throw new Error('unreachable');
    expect((await store.incidents.get(second.incidentId))?.previousIncidentId).toBe(first.incidentId);
  });

  it('keeps the incident open while other folded faults still fire', async () => {
    const { intake } = incidentServices(store, { clock });
    const owners = [{ kind: 'Deployment', name: 'checkout' }];
    await intake.ingest(crash({ faultId: 'a', context: { owners } }));
    await intake.ingest(crash({ faultId: 'b', context: { owners } }));
    const cleared = await intake.ingest(
      crash({ faultId: 'a', context: { owners }, resolved: true, observedAt: at(10) }),
    );
    expect(cleared).toMatchObject({ kind: 'cleared', note: 'other faults of the incident still fire' });
  });

  it('stores a silenced fault but opens nothing for it', async () => {
    const { intake } = incidentServices(store, { clock });
    await store.silences.add({
      id: 'mute-shop',
      matcher: { namespace: 'shop' },
      author: 'U042',
      reason: 'load test',
      createdAt: t0,
      expiresAt: later(t0, 3_600_000),
    });
    expect(await intake.ingest(crash())).toEqual({
      kind: 'silenced',
      silenceId: 'mute-shop',
      message: `silenced by U042 until ${later(t0, 3_600_000).toISOString()}: load test`,
    });
    expect(await store.faults.count()).toBe(1);
    expect(await store.incidents.list()).toHaveLength(0);
  });

  it('mutes faults that would join an incident silenced from Slack, and says by whom and until when', async () => {
    const { intake } = incidentServices(store, { clock });
    const opened = await intake.ingest(crash());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    const incident = await store.incidents.get(opened.incidentId);
    await store.silences.add({
      id: 'mute-checkout',
      matcher: { cluster: 'prod-eu', fingerprint: incident?.fingerprint ?? '' },
      author: 'U042',
      reason: 'known rollout',
      createdAt: t0,
      expiresAt: later(t0, 3_600_000),
    });
    // The silence cache lasts 5 s: step past it, as a later fault would.
    const sibling = crash({ faultId: 'crash-checkout-2', observedAt: at(6_000) });
    expect(await intake.ingest(sibling)).toEqual({
      kind: 'silenced',
      silenceId: 'mute-checkout',
      message: `silenced by U042 until ${later(t0, 3_600_000).toISOString()}: known rollout`,
    });
    expect((await store.incidents.get(opened.incidentId))?.faultCount).toBe(1);
    expect((await store.faults.get('prod-eu', 'crash-checkout-2'))?.fault.faultId).toBe('crash-checkout-2');
  });

  it('does not resolve and reopen a flapping fault: the incident stays open', async () => {
    const { intake } = incidentServices(store, {
      clock,
      settings: { flap: { windowMs: 600_000, threshold: 3 } },
    });
    await intake.ingest(crash());
    expect((await intake.ingest(crash({ resolved: true, observedAt: at(1000) }))).kind).toBe('resolved');
    expect((await intake.ingest(crash({ observedAt: at(2000) }))).kind).toBe('reopened');
    expect(await intake.ingest(crash({ resolved: true, observedAt: at(3000) }))).toMatchObject({
      kind: 'cleared',
      note: 'flapping: the incident stays open until every fault stays clear for 5 min',
    });
  });

  it('folds a burst of unrelated pods in one namespace into one incident after the threshold', async () => {
    const { intake } = incidentServices(store, {
      clock,
      settings: { correlation: { burstThreshold: 3, burstWindowMs: 60_000 } },
    });
    const lone = (i: number) =>
      makeFault({
        faultId: `lone-${i}`,
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'lab', name: `debug-${i}`, uid: `u-${i}` },
        context: {},
        observedAt: now,
      });
    for (let i = 0; i < 6; i += 1) await intake.ingest(lone(i));
    const fingerprints = (await store.incidents.list()).map((i) => i.fingerprint).sort();
    expect(fingerprints).toEqual([
      'burst:lab',
      'resource:Pod/lab/debug-0',
      'resource:Pod/lab/debug-1',
      'resource:Pod/lab/debug-2',
    ]);
    const burst = await store.incidents.findOpenByFingerprint('prod-eu', 'burst:lab');
    expect(burst?.faultCount).toBe(3);
  });

  it('applies severity rules and raises the incident to its most severe fault', async () => {
    const { intake } = incidentServices(store, {
      clock,
      settings: { severityRules: [{ match: { labels: { tier: 'payments' } }, severity: 'critical' }] },
    });
    const owners = [{ kind: 'Deployment', name: 'checkout' }];
    const first = await intake.ingest(crash({ faultId: 'a', severity: 'warning', context: { owners } }));
    await intake.ingest(
      crash({ faultId: 'b', severity: 'warning', context: { owners, labels: { tier: 'payments' } } }),
    );
    if (first.kind !== 'opened') throw new Error('unreachable');
    expect((await store.incidents.get(first.incidentId))?.severity).toBe('critical');
  });

  it('publishes every transition once, with an idempotency key, from the outbox', async () => {
    const services = incidentServices(store, { clock });
    const opened = await services.intake.ingest(crash());
    if (opened.kind !== 'opened') throw new Error('unreachable');
    const history = await store.incidents.history(opened.incidentId);
    expect(history.every((h) => h.publishedAt !== undefined)).toBe(true);
    expect(await services.lifecycle.publishPending()).toBe(0);
  });
});
