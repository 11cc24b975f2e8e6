/** One behaviour contract for the store, run against PGlite and a real PostgreSQL server. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/domain/errors.ts';
import { asAuditEntryId } from '../../core/domain/ids.ts';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import type { Store } from '../../core/ports/store.ts';
import { later, makeFault, makeIncident, makeRun, t0 } from '../fixtures/domain.ts';

const system = { type: 'system', component: 'test' } as const;

export function storeContract(
  name: string,
  open: () => Promise<Store>,
  close: () => Promise<void> = () => Promise.resolve(),
) {
  describe(`${name} store`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
      await close();
    });

    describe('faults', () => {
      it('records a new fault once and reports replays as duplicates', async () => {
        const fault = makeFault();
        expect((await store.faults.record(fault)).outcome).toBe('new');
        const replay = await store.faults.record({ ...fault });
        expect(replay.outcome).toBe('duplicate');
        expect(replay.stored.occurrences).toBe(1);
        expect(replay.stored.fault).toEqual(fault);
      });

      it('counts a later observation as a change and keeps the first-seen time', async () => {
        const fault = makeFault();
        await store.faults.record(fault);
        const next = await store.faults.record({
          ...fault,
          observedAt: later(t0, 60_000),
          severity: 'critical',
        });
        expect(next.outcome).toBe('changed');
        expect(next.stored.occurrences).toBe(2);
        const stored = await store.faults.get(fault.cluster, fault.faultId);
        expect(stored?.firstSeenAt).toEqual(t0);
        expect(stored?.lastSeenAt).toEqual(later(t0, 60_000));
        expect(stored?.fault.severity).toBe('critical');
      });

      it('ignores an older observation arriving late', async () => {
        const fault = makeFault({ observedAt: later(t0, 60_000) });
        await store.faults.record(fault);
        const stale = await store.faults.record({ ...fault, observedAt: t0, resolved: true });
        expect(stale.outcome).toBe('duplicate');
        expect((await store.faults.get(fault.cluster, fault.faultId))?.fault.resolved).toBe(false);
      });

      it('records a resolution at the same instant as a change', async () => {
        const fault = makeFault();
        await store.faults.record(fault);
        expect((await store.faults.record({ ...fault, resolved: true })).outcome).toBe('changed');
        expect((await store.faults.get(fault.cluster, fault.faultId))?.fault.resolved).toBe(true);
      });

      it('keeps the same faultId apart per cluster and counts per cluster', async () => {
        const cluster = `c-${randomUUID()}`;
        const fault = makeFault({ cluster });
        await store.faults.record(fault);
        expect((await store.faults.record({ ...fault, cluster: `${cluster}-b` })).outcome).toBe('new');
        expect(await store.faults.count({ cluster })).toBe(1);
      });

      it('says what a batch observation replaced, so a class refinement is seen and stored', async () => {
        const fault = makeFault({ class: 'ContainerErrorExit' });
        expect(await store.faults.recordMany([fault])).toEqual([{ outcome: 'new' }]);
        const refined = { ...fault, class: 'CrashLoopBackOff' as const, observedAt: later(t0, 1000) };
        expect(await store.faults.recordMany([refined])).toEqual([
          { outcome: 'changed', previous: { class: 'ContainerErrorExit', resolved: false } },
        ]);
        expect(await store.faults.recordMany([refined])).toEqual([{ outcome: 'duplicate' }]);
        expect((await store.faults.get(fault.cluster, fault.faultId))?.fault.class).toBe('CrashLoopBackOff');
      });

      it('expires only firing faults of a source with a TTL, not observed within it', async () => {
        const cluster = `c-${randomUUID()}`;
        const fork = { kind: 'mcp', name: `fork-${randomUUID()}` } as const;
        const stale = makeFault({ cluster, source: fork, observedAt: t0 });
        const fresh = makeFault({ cluster, source: fork, observedAt: later(t0, 50_000) });
        const other = makeFault({ cluster, observedAt: t0 });
        await store.faults.recordMany([stale, fresh, other]);
        const ttl = new Map([[`mcp:${fork.name}`, 60_000]]);
        const expired = await store.faults.expireStale(ttl, later(t0, 60_000), 100);
        expect(expired).toEqual([
          { cluster, faultId: stale.faultId, source: `mcp:${fork.name}`, clearedAt: later(t0, 60_000) },
        ]);
        expect((await store.faults.get(cluster, stale.faultId))?.fault).toMatchObject({
          resolved: true,
          context: { resolution: { expired: true } },
        });
        expect((await store.faults.get(cluster, fresh.faultId))?.fault.resolved).toBe(false);
        expect((await store.faults.get(cluster, other.faultId))?.fault.resolved).toBe(false);
        expect(await store.faults.expireStale(ttl, later(t0, 60_000), 100)).toEqual([]);
        // A later observation from the source fires it again.
        expect((await store.faults.record({ ...stale, observedAt: later(t0, 70_000) })).outcome).toBe(
          'changed',
        );
      });

      it('returns undefined for an unknown fault', async () => {
        expect(await store.faults.get('prod-eu', 'nope')).toBeUndefined();
      });
    });

    describe('incidents', () => {
      it('round-trips an incident with every optional field', async () => {
        const incident = makeIncident({
          thread: { channel: 'C1', ts: '1.2' },
          resolvedAt: t0,
          previousIncidentId: makeIncident().id,
        });
        await store.incidents.create(incident);
        expect(await store.incidents.get(incident.id)).toEqual(incident);
      });

      it('refuses a second open incident with the same fingerprint, with a conflict error', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const twin = makeIncident({ fingerprint: incident.fingerprint });
        await expect(store.incidents.create(twin)).rejects.toMatchObject({ code: 'conflict' });
        await expect(store.incidents.create(twin)).rejects.toBeInstanceOf(StoreError);
        expect(
          (await store.incidents.findOpenByFingerprint(incident.cluster, incident.fingerprint))?.id,
        ).toBe(incident.id);
      });

      it('allows a new incident for a fingerprint once the old one is closed', async () => {
        const old = makeIncident({ state: { status: 'closed' } });
        await store.incidents.create(old);
        expect(await store.incidents.findOpenByFingerprint(old.cluster, old.fingerprint)).toBeUndefined();
        await store.incidents.create(makeIncident({ fingerprint: old.fingerprint }));
      });

      it('applies a transition at the expected version and records history', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const at = later(t0, 1_000);
        const queued = await store.incidents.transition(
          incident.id,
          0,
          { status: 'triage_queued' },
          {
            from: 'detected',
            event: 'triage.requested',
            actor: system,
            reason: 'auto',
            at,
          },
        );
        expect(queued).toMatchObject({ version: 1, state: { status: 'triage_queued' }, updatedAt: at });
        const resolvedAt = later(t0, 2_000);
        const resolved = await store.incidents.transition(
          incident.id,
          1,
          { status: 'resolved', reason: 'gone' },
          {
            from: 'triage_queued',
            event: 'incident.resolved',
            actor: { type: 'slack-user', userId: 'U1' },
            reason: 'gone',
            at: resolvedAt,
          },
        );
        expect(resolved?.resolvedAt).toEqual(resolvedAt);
        const history = await store.incidents.history(incident.id);
        expect(history.map((h) => [h.version, h.from, h.to, h.event])).toEqual([
          [1, 'detected', 'triage_queued', 'triage.requested'],
          [2, 'triage_queued', 'resolved', 'incident.resolved'],
        ]);
        expect(history[1]?.actor).toEqual({ type: 'slack-user', userId: 'U1' });
      });

      it('rejects a transition from a stale version without changing anything', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const record = {
          from: 'detected',
          event: 'triage.requested',
          actor: system,
          reason: 'auto',
          at: t0,
        } as const;
        expect(
          await store.incidents.transition(incident.id, 0, { status: 'triage_queued' }, record),
        ).toBeDefined();
        expect(
          await store.incidents.transition(incident.id, 0, { status: 'triage_queued' }, record),
        ).toBeUndefined();
        expect(await store.incidents.history(incident.id)).toHaveLength(1);
      });

      it('lets exactly one of two concurrent writers win a transition', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const record = {
          from: 'detected',
          event: 'triage.requested',
          actor: system,
          reason: 'race',
          at: t0,
        } as const;
        const results = await Promise.all(
          [1, 2, 3, 4].map(() =>
            store.incidents.transition(incident.id, 0, { status: 'triage_queued' }, record),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.incidents.history(incident.id)).toHaveLength(1);
      });

      it('adds members idempotently and keeps the fault count', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const member = {
          incidentId: incident.id,
          cluster: 'prod-eu',
          faultId: 'f1',
          reason: 'primary',
          joinedAt: t0,
        } as const;
        expect(await store.incidents.addMember(member)).toBe(true);
        expect(await store.incidents.addMember(member)).toBe(false);
        expect(
          await store.incidents.addMember({
            ...member,
            faultId: 'f2',
            reason: 'same_owner_workload',
            joinedAt: later(t0, 1),
          }),
        ).toBe(true);
        expect((await store.incidents.members(incident.id)).map((m) => m.faultId)).toEqual(['f1', 'f2']);
        expect((await store.incidents.get(incident.id))?.faultCount).toBe(2);
      });

      it('opens an incident with its primary member in one step, and reports a conflict for the same cause', async () => {
        const incident = makeIncident();
        const member = { cluster: incident.cluster, faultId: `f-${randomUUID()}`, joinedAt: t0 };
        const opened = await store.incidents.open({ incident, member, severity: 'high' });
        expect(opened).toMatchObject({
          kind: 'opened',
          burst: false,
          incident: { id: incident.id, faultCount: 1 },
        });
        expect((await store.incidents.members(incident.id)).map((m) => m.reason)).toEqual(['primary']);
        const twin = makeIncident({ fingerprint: incident.fingerprint });
        expect(await store.incidents.open({ incident: twin, member, severity: 'high' })).toEqual({
          kind: 'conflict',
        });
        expect(await store.incidents.get(twin.id)).toBeUndefined();
      });

      it('folds a lone fault into the namespace burst once enough lone incidents opened there', async () => {
        const cluster = `c-${randomUUID()}`;
        const lone = (i: number) =>
          makeIncident({ cluster, fingerprint: `resource:Pod/lab/p-${i}`, createdAt: later(t0, i) });
        const burstIncident = (i: number) =>
          makeIncident({ cluster, fingerprint: 'burst:lab', createdAt: later(t0, i) });
        const request = (i: number) => ({
          incident: lone(i),
          member: { cluster, faultId: `f-${i}`, joinedAt: later(t0, i) },
          severity: 'high' as const,
          burst: { namespace: 'lab', since: t0, threshold: 2, incident: burstIncident(i) },
        });
        const kinds = [];
        for (let i = 0; i < 4; i += 1) {
          const result = await store.incidents.open(request(i));
          kinds.push(result.kind === 'opened' ? `opened${result.burst ? ' burst' : ''}` : result.kind);
        }
        expect(kinds).toEqual(['opened', 'opened', 'opened burst', 'joined_burst']);
        const burst = await store.incidents.findOpenByFingerprint(cluster, 'burst:lab');
        expect(burst?.faultCount).toBe(2);
      });

      it('lists by status and cluster, newest first', async () => {
        const cluster = `c-${randomUUID()}`;
        const a = makeIncident({ cluster, updatedAt: t0 });
        const b = makeIncident({ cluster, updatedAt: later(t0, 5) });
        const c = makeIncident({ cluster, state: { status: 'closed' } });
        for (const incident of [a, b, c]) await store.incidents.create(incident);
        const open = await store.incidents.list({ cluster, statuses: ['detected'] });
        expect(open.map((i) => i.id)).toEqual([b.id, a.id]);
        expect(await store.incidents.list({ cluster, limit: 1 })).toHaveLength(1);
      });

      it('counts open incidents by state, leaving resolved and closed ones out', async () => {
        const before = await store.incidents.countOpenByStatus();
        await store.incidents.create(makeIncident());
        await store.incidents.create(makeIncident({ state: { status: 'triage_queued' } }));
        await store.incidents.create(makeIncident({ state: { status: 'resolved', reason: 'gone' } }));
        await store.incidents.create(makeIncident({ state: { status: 'closed' } }));
        const after = await store.incidents.countOpenByStatus();
        expect(after.detected).toBe((before.detected ?? 0) + 1);
        expect(after.triage_queued).toBe((before.triage_queued ?? 0) + 1);
        expect(Object.keys(after)).not.toContain('resolved');
        expect(Object.keys(after)).not.toContain('closed');
      });

      it('sets the Slack thread and fails clearly for an unknown incident', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        await store.incidents.setThread(incident.id, { channel: 'C9', ts: '123.456' });
        expect((await store.incidents.get(incident.id))?.thread).toEqual({ channel: 'C9', ts: '123.456' });
        await expect(
          store.incidents.setThread(makeIncident().id, { channel: 'C', ts: '1' }),
        ).rejects.toMatchObject({
          code: 'not_found',
        });
      });
    });

    describe('runs, progress and reports', () => {
      it('creates, updates and lists runs', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const run = makeRun(incident);
        await store.runs.create(run);
        const done = await store.runs.update(run.id, {
          status: 'failed',
          startedAt: later(t0, 1),
          finishedAt: later(t0, 2),
          usage: { inputTokens: 10, costUsd: 0.25 },
          failure: { reason: 'timeout', detail: 'ran past 15m' },
        });
        expect(done).toMatchObject({
          status: 'failed',
          usage: { costUsd: 0.25 },
          failure: { reason: 'timeout' },
        });
        expect(await store.runs.get(run.id)).toEqual(done);
        expect((await store.runs.listByIncident(incident.id)).map((r) => r.id)).toEqual([run.id]);
        expect((await store.runs.listByStatus(['failed'])).some((r) => r.id === run.id)).toBe(true);
        await expect(store.runs.update(makeRun(incident).id, { status: 'running' })).rejects.toMatchObject({
          code: 'not_found',
        });
      });

      it('appends progress idempotently on (run, seq) and lists it in order', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const run = makeRun(incident);
        await store.runs.create(run);
        const events: ProgressEvent[] = [
          {
            runId: run.id,
            seq: 2,
            at: later(t0, 2),
            type: 'tool.called',
            callId: 'c1',
            tool: 'kubectl',
            summary: 'get pods',
          },
          { runId: run.id, seq: 1, at: later(t0, 1), type: 'run.started', agent: 'claude-code' },
        ];
        for (const event of events) expect(await store.progress.append(event)).toBe(true);
        expect(await store.progress.append(events[0]!)).toBe(false);
        expect(await store.progress.list(run.id)).toEqual([events[1], events[0]]);
      });

      it('saves a report once per run, replacing it on a retry', async () => {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const run = makeRun(incident);
        await store.runs.create(run);
        const report = {
          runId: run.id,
          incidentId: incident.id,
          card: {
            status: 'root cause found',
            severity: 'high',
            rootCause: 'missing env',
            confidence: 'high',
          },
          artifacts: {
            markdownKey: 'a.md',
            htmlKey: 'a.html',
            transcriptKey: 'a.jsonl',
            metadataKey: 'a.json',
          },
          createdAt: t0,
        } as const;
        await store.reports.save(report);
        await store.reports.save({ ...report, card: { ...report.card, confidence: 'low' } });
        expect((await store.reports.getByRun(run.id))?.card.confidence).toBe('low');
        expect(await store.reports.listByIncident(incident.id)).toHaveLength(1);
      });
    });

    describe('audit', () => {
      it('appends entries once and lists them per incident in time order', async () => {
        const incident = makeIncident();
        const entry = {
          id: asAuditEntryId(randomUUID()),
          incidentId: incident.id,
          actor: system,
          action: 'incident.transition',
          detail: { to: 'triage_queued' },
          at: later(t0, 5),
        };
        const earlier = { ...entry, id: asAuditEntryId(randomUUID()), at: t0 };
        await store.audit.append(entry);
        await store.audit.append(entry);
        await store.audit.append(earlier);
        expect(await store.audit.listByIncident(incident.id)).toEqual([earlier, entry]);
      });
    });

    describe('work queue', () => {
      const kind = () => `k-${randomUUID()}`;

      it('says how much work waits and since when, leaving out what a live claim holds', async () => {
        const k = kind();
        const enqueued = Date.now();
        await store.queue.enqueue({ kind: k, key: 'a', payload: {}, runAt: t0 });
        await store.queue.enqueue({ kind: k, key: 'b', payload: {}, runAt: later(t0, 60_000) });
        const now = later(t0, 10);
        await store.queue.claim({ kinds: [k], owner: 'w1', now, leaseMs: 1_000, limit: 1 });
        const waiting = (at: Date) => store.queue.waiting(at).then((all) => all.find((w) => w.kind === k));
        const held = await waiting(now);
        expect(held?.count).toBe(1); // the claimed item is running, not waiting
        expect(Math.abs((held?.oldestEnqueuedAt.getTime() ?? 0) - enqueued)).toBeLessThan(60_000);
        expect((await waiting(later(now, 1_001)))?.count).toBe(2); // its lease expired: it waits again
      });

      it('dedupes pending items by kind and key', async () => {
        const k = kind();
        expect(await store.queue.enqueue({ kind: k, key: 'i1', payload: { a: 1 }, runAt: t0 })).toBe(true);
        expect(await store.queue.enqueue({ kind: k, key: 'i1', payload: { a: 2 }, runAt: t0 })).toBe(false);
        expect(await store.queue.pending(k)).toBe(1);
      });

      it('claims due items oldest first, under a lease, and not twice', async () => {
        const k = kind();
        await store.queue.enqueue({ kind: k, key: 'late', payload: {}, runAt: later(t0, 2) });
        await store.queue.enqueue({ kind: k, key: 'early', payload: { n: 1 }, runAt: t0 });
        await store.queue.enqueue({ kind: k, key: 'future', payload: {}, runAt: later(t0, 60_000) });
        const now = later(t0, 10);
        const claimed = await store.queue.claim({ kinds: [k], owner: 'w1', now, leaseMs: 1_000, limit: 10 });
        expect(claimed.map((i) => i.key)).toEqual(['early', 'late']);
        expect(claimed[0]).toMatchObject({
          payload: { n: 1 },
          attempts: 1,
          leaseOwner: 'w1',
          leaseUntil: later(now, 1_000),
        });
        expect(await store.queue.claim({ kinds: [k], owner: 'w2', now, leaseMs: 1_000, limit: 10 })).toEqual(
          [],
        );
      });

      it('hands an expired lease to another owner, and the old owner loses it', async () => {
        const k = kind();
        await store.queue.enqueue({ kind: k, key: 'x', payload: {}, runAt: t0 });
        const [first] = await store.queue.claim({
          kinds: [k],
          owner: 'w1',
          now: t0,
          leaseMs: 1_000,
          limit: 1,
        });
        const [second] = await store.queue.claim({
          kinds: [k],
          owner: 'w2',
          now: later(t0, 1_001),
          leaseMs: 1_000,
          limit: 1,
        });
        expect(second).toMatchObject({ id: first!.id, attempts: 2, leaseOwner: 'w2' });
        expect(await store.queue.complete(first!.id, 'w1')).toBe(false);
        expect(await store.queue.renew(first!.id, 'w1', later(t0, 9_000))).toBe(false);
        expect(await store.queue.renew(first!.id, 'w2', later(t0, 9_000))).toBe(true);
        expect(await store.queue.complete(first!.id, 'w2')).toBe(true);
        expect(await store.queue.pending(k)).toBe(0);
      });

      it('releases an item to run again later, and allows re-enqueue after completion', async () => {
        const k = kind();
        await store.queue.enqueue({ kind: k, key: 'x', payload: {}, runAt: t0 });
        const [item] = await store.queue.claim({
          kinds: [k],
          owner: 'w1',
          now: t0,
          leaseMs: 60_000,
          limit: 1,
        });
        expect(await store.queue.release(item!.id, 'w1', later(t0, 5_000))).toBe(true);
        expect(
          await store.queue.claim({ kinds: [k], owner: 'w1', now: later(t0, 4_999), leaseMs: 1, limit: 1 }),
        ).toEqual([]);
        const [again] = await store.queue.claim({
          kinds: [k],
          owner: 'w1',
          now: later(t0, 5_000),
          leaseMs: 1_000,
          limit: 1,
        });
        expect(await store.queue.complete(again!.id, 'w1')).toBe(true);
        expect(await store.queue.enqueue({ kind: k, key: 'x', payload: {}, runAt: t0 })).toBe(true);
      });
    });
  });
}
