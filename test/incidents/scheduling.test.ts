import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { until } from '../fixtures/until.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import {
  queueIncidents,
  readLedger,
  startSchedulerProcess,
  type SchedulerProcess,
} from './scheduler-fixtures.ts';

describe('scheduling across restarts and replicas (real PostgreSQL, real processes)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let dir: string;
  const processes: SchedulerProcess[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    dir = await mkdtemp(join(tmpdir(), 'wk-sched-'));
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

  const envFor = (owner: string, overrides: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    OWNER: owner,
    LEDGER: join(dir, 'ledger'),
    WORK_ROOT: join(dir, 'work'),
    LEASE_MS: '1500',
    MAX_RUNS: '3',
    AGENT_MS: '1500',
    ...overrides,
  });

  async function start(owner: string, overrides: Record<string, string> = {}): Promise<SchedulerProcess> {
    const p = await startSchedulerProcess(envFor(owner, overrides));
    processes.push(p);
    return p;
  }

  async function statuses(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const incident of await store.incidents.list({ limit: 1000 })) {
      counts.set(incident.state.status, (counts.get(incident.state.status) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Every incident ends `reported` with exactly one successful run; no run id starts twice; runs of one incident
   * never overlap; a run that finished without its result being recorded can only be one lost with its process.
   */
  async function expectEachTriagedOnce(count: number): Promise<void> {
    const ledger = await readLedger(join(dir, 'ledger'));
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    for (const line of ledger) {
      const seen = line.what === 'start' ? starts : ends;
      expect(seen.has(line.runId), `run ${line.runId} logged "${line.what}" twice`).toBe(false);
      seen.set(line.runId, line.at);
    }
    const incidents = await store.incidents.list({ limit: 1000 });
    expect(incidents).toHaveLength(count);
    for (const incident of incidents) {
      expect(incident.state.status).toBe('reported');
      const runs = await store.runs.listByIncident(incident.id);
      const succeeded = runs.filter((run) => run.status === 'succeeded');
      expect(succeeded).toHaveLength(1);
      expect(ends.has(succeeded[0]?.id ?? '')).toBe(true);
      expect(runs.filter((run) => run.status === 'running' || run.status === 'starting')).toHaveLength(0);
      for (const run of runs) {
        if (run.status !== 'succeeded' && ends.has(run.id)) expect(run.failure?.reason).toBe('lost');
      }
      const intervals = runs
        .filter((run) => starts.has(run.id) && ends.has(run.id))
        .map((run) => [starts.get(run.id) ?? 0, ends.get(run.id) ?? 0] as const)
        .sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < intervals.length; i += 1) {
        expect(
          (intervals[i]?.[0] ?? 0) >= (intervals[i - 1]?.[1] ?? 0),
          `runs of ${incident.id} overlapped`,
        ).toBe(true);
      }
    }
    expect(await store.queue.pending('triage')).toBe(0);
  }

  /** The most agent processes alive at the same moment, from the ledger (runs that finished). */
  async function mostAtOnce(): Promise<number> {
    const ledger = await readLedger(join(dir, 'ledger'));
    const ended = new Set(ledger.filter((l) => l.what === 'end').map((l) => l.runId));
    const edges = ledger
      .filter((l) => ended.has(l.runId))
      .map((l) => [l.at, l.what === 'start' ? 1 : -1] as const)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let current = 0;
    let most = 0;
    for (const [, delta] of edges) {
      current += delta;
      most = Math.max(most, current);
    }
    return most;
  }

  it('after kill -9 with 3 runs in flight and 20 queued, a restart finishes every incident and runs none twice', async () => {
    await queueIncidents(store, 23);
    const first = await start('first');
    await until('3 runs in flight', async () => (await statuses()).get('triaging') === 3, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await statuses()).get('triage_queued')).toBe(20);

    await start('second', { AGENT_MS: '200' });
    await until('every incident reported', async () => (await statuses()).get('reported') === 23, 90_000);
    await expectEachTriagedOnce(23);
    const lost = (await store.runs.listByStatus(['failed'])).filter((run) => run.failure?.reason === 'lost');
    expect(lost).toHaveLength(3);
    // The orphaned agents died with the killed process: none of the three lost runs finished its work.
    const finished = new Set(
      (await readLedger(join(dir, 'ledger'))).filter((l) => l.what === 'end').map((l) => l.runId),
    );
    expect(lost.filter((run) => finished.has(run.id))).toHaveLength(0);
  }, 120_000);

  it('two processes share 200 incidents, each triaged once; one killed mid-way hands its claims over', async () => {
    await queueIncidents(store, 200);
    const settings = { MAX_RUNS: '12', AGENT_MS: '150' };
    const a = await start('a', settings);
    await start('b', settings);
    await until('a quarter reported', async () => ((await statuses()).get('reported') ?? 0) >= 50, 90_000);
    a.child.kill('SIGKILL');
    await a.exited;
    // Generous: 200 real process pairs on 2 cores while other test files run too.
    await until('every incident reported', async () => (await statuses()).get('reported') === 200, 360_000);
    await expectEachTriagedOnce(200);
    expect(await mostAtOnce()).toBeLessThanOrEqual(12);
  }, 480_000);
});
