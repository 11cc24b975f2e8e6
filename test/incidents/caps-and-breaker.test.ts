import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidV7Gen } from '../../bot/wiring/uuid-v7.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { defaultIncidentSettings, type IncidentSettings } from '../../core/services/incident-settings.ts';
import { createTriageScheduler, type TriageScheduler } from '../../core/services/triage-scheduler.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createLocalProcessLauncher } from '../../runners/local/local-process-launcher.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices, type IncidentServices } from './incident-harness.ts';
import { queueIncidents } from './scheduler-fixtures.ts';

describe('caps, storm guard and circuit breaker (real PostgreSQL, real local processes)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let services: IncidentServices;
  let dir: string;
  let scheduler: TriageScheduler | undefined;

  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    services = incidentServices(store);
    dir = await mkdtemp(join(tmpdir(), 'wk-caps-'));
  });
  afterEach(async () => {
    await scheduler?.stop({ abandon: true });
    await store.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  function schedulerWith(script: string, settings: Partial<IncidentSettings>): TriageScheduler {
    scheduler = createTriageScheduler({
      store,
      bus: services.bus,
      lifecycle: services.lifecycle,
      launcher: createLocalProcessLauncher({
        command: process.execPath,
        args: ['-e', script],
        workRoot: join(dir, 'work'),
        logger: silentLogger,
        killGraceMs: 200,
      }),
      clock: { now: () => new Date() },
      ids: uuidV7Gen,
      logger: silentLogger,
      settings: { ...defaultIncidentSettings, ...settings },
      owner: 'test',
    });
    return scheduler;
  }

  async function byStatus(status: string): Promise<number> {
    return (await store.incidents.list({ limit: 100 })).filter((i) => i.state.status === status).length;
  }

  it('runs one triage per cluster by default; the others wait with the reason visible', async () => {
    await queueIncidents(store, 3);
    const s = schedulerWith('setTimeout(() => {}, 5000)', {});
    await s.tick();
    expect(await byStatus('triaging')).toBe(1);
    expect(await byStatus('triage_queued')).toBe(2);
    const waiting = await Promise.all(
      (await store.incidents.list({ statuses: ['triage_queued'] })).map((i) =>
        store.queue.get('triage', i.id),
      ),
    );
    expect(waiting.map((item) => item?.waitReason)).toEqual([
      '1 runs are running in prod-eu (limit 1)',
      '1 runs are running in prod-eu (limit 1)',
    ]);
  });

  it('holds new runs beyond the storm guard', async () => {
    await queueIncidents(store, 4);
    const s = schedulerWith('process.exit(0)', {
      caps: { maxConcurrentRuns: 10, maxConcurrentRunsPerCluster: 10, maxRunStartsPerMinute: 2 },
    });
    await s.tick();
    expect(await byStatus('triage_queued')).toBe(2);
    const waiting = await store.incidents.list({ statuses: ['triage_queued'] });
    expect((await store.queue.get('triage', waiting[0]?.id ?? ''))?.waitReason).toMatch(
      /^storm guard: 2 runs started/,
    );
  });

  it('pauses runs after consecutive failures, says so once, and closes after a successful probe', async () => {
    const notices: unknown[] = [];
    const controller = new AbortController();
    void (async () => {
      const stream = services.bus.subscribe(subjects.systemNotice, {
        from: 'new',
        signal: controller.signal,
      });
      for await (const message of stream) notices.push(message.data);
    })().catch(() => undefined);
    await queueIncidents(store, 3);
    // Long enough that a loaded machine cannot reach the probe window before the test has seen the pause.
    const breaker = { failureThreshold: 2, probeAfterMs: 5_000 };
    const caps = { maxConcurrentRuns: 1, maxConcurrentRunsPerCluster: 1, maxRunStartsPerMinute: 100 };
    const failing = schedulerWith('process.exit(3)', { breaker, caps });
    // The incident turns triage_failed a moment before its run's slot is free: until then the cap, not the
    // breaker, is why the third waits. Tick until the reason settles (bounded), then judge it.
    const waitReason = async () => {
      const [queued] = await store.incidents.list({ statuses: ['triage_queued'] });
      return (await store.queue.get('triage', queued?.id ?? ''))?.waitReason;
    };
    // Each failing run is a real process start: on a loaded machine two of them take seconds.
    for (let i = 0; i < 300 && !((await waitReason()) ?? '').includes('paused'); i += 1) {
      await failing.tick();
      await sleep(100);
    }
    expect(await byStatus('triage_failed')).toBe(2);
    expect(await waitReason()).toMatch(/paused after 2 consecutive failures/);
    expect(notices).toMatchObject([{ type: 'system.degraded' }]);
    await failing.stop();

    const healthy = schedulerWith('process.exit(0)', { breaker, caps });
    await sleep(5_100);
    for (let i = 0; i < 40 && (await byStatus('reported')) < 1; i += 1) {
      await healthy.tick();
      await sleep(100);
    }
    expect(await byStatus('reported')).toBe(1);
    expect(notices).toMatchObject([{ type: 'system.degraded' }, { type: 'system.recovered' }]);
    controller.abort();
  }, 90_000);
});
