/** What only a real multi-connection PostgreSQL can show: concurrent workers, concurrent migrators. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { later, t0 } from '../fixtures/domain.ts';
import { migrationCount } from './migration-count.ts';
import { createTestDatabase } from './postgres-database.ts';

describe('PostgreSQL store under concurrency', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase());
  });
  afterAll(() => drop());

  it('migrates once when several replicas start together', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ kind: 'postgres', url })));
    try {
      expect(stores.map((s) => s.migrationsApplied).sort()).toEqual([0, 0, migrationCount()]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('never hands one work item to two workers claiming at the same time', async () => {
    const workers: OpenedStore[] = await Promise.all(
      [1, 2, 3, 4].map(() => openStore({ kind: 'postgres', url, maxConnections: 4 })),
    );
    try {
      const kind = 'claim-race';
      for (let i = 0; i < 200; i++) {
        await workers[0]!.queue.enqueue({ kind, key: `item-${i}`, payload: { i }, runAt: t0 });
      }
      const claimedBy = new Map<string, string>();
      await Promise.all(
        workers.flatMap((worker, w) =>
          [0, 1, 2].map(async (lane) => {
            const owner = `w${w}-${lane}`;
            for (;;) {
              const items = await worker.queue.claim({
                kinds: [kind],
                owner,
                now: later(t0, 1),
                leaseMs: 60_000,
                limit: 3,
              });
              if (items.length === 0) return;
              for (const item of items) {
                expect(claimedBy.has(item.id), `item ${item.key} claimed twice`).toBe(false);
                claimedBy.set(item.id, owner);
                expect(await worker.queue.complete(item.id, owner)).toBe(true);
              }
            }
          }),
        ),
      );
      expect(claimedBy.size).toBe(200);
      expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
      expect(await workers[0]!.queue.pending(kind)).toBe(0);
    } finally {
      await Promise.all(workers.map((s) => s.close()));
    }
  });

  it('names the unreachable database in one line, password redacted', async () => {
    const refused = openStore({ kind: 'postgres', url: 'postgres://wk:s3cret@127.0.0.1:1/watchkeeper' });
    await expect(refused).rejects.toMatchObject({ code: 'unavailable' });
    await expect(refused).rejects.toThrow(
      /^cannot connect to PostgreSQL at postgres:\/\/wk:\*\*\*@127\.0\.0\.1:1\/watchkeeper: .*ECONNREFUSED/,
    );
    await expect(refused).rejects.not.toThrow(/s3cret/);
  });
});
