/**
 * Burst folding is decided under the same lock as the open: lone faults arriving 10 ms apart (faster than an open
 * takes) fold the same way every time, on PostgreSQL (advisory transaction lock) and on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { makeFault } from '../fixtures/domain.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices } from './incident-harness.ts';

const namespaces = ['lab-a', 'lab-b', 'lab-c'];
const burst = { burstThreshold: 5, burstWindowMs: 120_000 };

/** 6 lone pods (no owner, no node, names no controller gives) per namespace, interleaved. */
function loneFaults(cluster: string): Fault[] {
  return Array.from({ length: 18 }, (_, i) => {
    const namespace = namespaces[i % 3] ?? 'lab-a';
    const name = `scratch-pod-${Math.floor(i / 3)}`;
    return makeFault({
      cluster,
      faultId: `lone-${namespace}-${name}`,
      resource: { apiVersion: 'v1', kind: 'Pod', namespace, name, uid: `${cluster}-${namespace}-${name}` },
      context: { reason: 'Error' },
    });
  });
}

/** Sends the faults 10 ms apart without waiting for each, then returns how the cluster's incidents look. */
async function run(store: OpenedStore, cluster: string): Promise<string[]> {
  const { intake } = incidentServices(store, { settings: { correlation: burst } });
  const pending: Promise<unknown>[] = [];
  for (const fault of loneFaults(cluster)) {
    pending.push(intake.ingest({ ...fault, observedAt: new Date() }));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  const incidents = await store.incidents.list({ cluster, limit: 100 });
  const shape = incidents.map(
    (i) =>
      `${i.fingerprint.split(':')[0] ?? ''}:${i.primaryResource.namespace ?? i.primaryResource.name}:${i.faultCount}`,
  );
  return shape.sort();
}

const expected = namespaces
  .flatMap((ns) => [...Array.from({ length: 5 }, () => `resource:${ns}:1`), `burst:${ns}:1`])
  .sort();

describe('race-free burst folding', () => {
  describe('on real PostgreSQL', () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let store: OpenedStore;
    beforeAll(async () => {
      database = await createTestDatabase();
      store = await openStore({ kind: 'postgres', url: database.url });
    });
    afterAll(async () => {
      await store.close();
      await database.drop();
    });

    it('folds 18 lone faults in 3 namespaces, 10 ms apart, the same way on each of 20 runs', async () => {
      for (let i = 0; i < 20; i += 1) expect(await run(store, `race-${i}`), `run ${i}`).toEqual(expected);
      expect(await store.faults.count()).toBe(20 * 18);
    }, 240_000);
  });

  describe('on PGlite', () => {
    let store: OpenedStore;
    beforeAll(async () => {
      store = await openStore({ kind: 'pglite', dataDir: 'memory' });
    });
    afterAll(async () => {
      await store.close();
    });

    it('folds the same way on each of 5 runs', async () => {
      for (let i = 0; i < 5; i += 1) expect(await run(store, `race-${i}`), `run ${i}`).toEqual(expected);
    }, 120_000);
  });
});
