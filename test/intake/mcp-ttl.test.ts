/**
 * The fork never sends a resolution: with the recorded conversation, its incidents resolve once its faults stop
 * arriving for the TTL the listener reports (live, as the composition root wires it), and not before; a fault the
 * fork sends again stays firing. Real MCP session, real PostgreSQL, the real maintenance loop.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaintenance } from '../../bot/wiring/maintenance.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { McpFaultSource } from '../../listeners/mcp/mcp-fault-source.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { startForkFake, type ForkFake } from './fork-fake-server.ts';
import { defaultIncidentSettings } from '../../core/services/incident-settings.ts';

const ttlMs = 3_000;

describe('faults of the fork that stop arriving', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let fork: ForkFake;
  let source: McpFaultSource;
  let maintenance: { stop(): Promise<void> };
  const ttls = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    fork = await startForkFake();
    const settings = { ...defaultIncidentSettings, faultTtlMs: ttls, quietPeriodMs: 200 };
    const { intake, lifecycle } = incidentServices(store, { settings });
    source = new McpFaultSource(
      { name: 'fork', url: fork.url, cluster: 'prod', faultTtlMs: ttlMs },
      (fault) => intake.ingest(fault),
      silentLogger,
      // As bot/wiring/mcp-listeners.ts does: the TTL lands in the live map once the server is known.
      { onFaultTtl: (ms) => (ms === undefined ? ttls.delete('mcp:fork') : ttls.set('mcp:fork', ms)) },
    );
    void source.run();
    await until('subscribed', () => fork.subscribed() === 1 && source.current().status === 'connected');
    maintenance = startMaintenance(
      { store, lifecycle, clock: { now: () => new Date() } },
      settings,
      silentLogger,
    );
  });
  afterAll(async () => {
    await maintenance.stop();
    await source.stop();
    await fork.close();
    await store.close();
    await database.drop();
  });

  it('resolves every incident of the recorded conversation after the TTL, says why, and keeps a refreshed fault firing', async () => {
    expect(ttls.get('mcp:fork')).toBe(ttlMs);
    const recorded = JSON.parse(
      await readFile(new URL('fixtures/fork-faults.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>[];
    const sentAt = Date.now();
    for (const data of recorded) await fork.emit({ ...data, timestamp: new Date().toISOString() });
    await until('five faults stored', () => source.current().faults === 5);
    const opened = await store.incidents.list({ cluster: 'prod' });
    expect(opened.length).toBeGreaterThan(0);

    // The node fault is sent again halfway through the TTL: it stays firing after the others expired.
    await new Promise((resolve) => setTimeout(resolve, ttlMs / 2));
    const node = recorded[2]!;
    const refreshedAt = Date.now();
    await fork.emit({ ...node, timestamp: new Date().toISOString() });
    await until('the refresh stored', () => source.current().faults === 6);

    await until(
      'every fault but the refreshed one expired',
      async () => {
        const faults = await Promise.all(recorded.map((r) => store.faults.get('prod', String(r.faultId))));
        return faults.filter((f) => f?.fault.resolved).length === 4;
      },
      20_000,
    );
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(ttlMs);
    expect((await store.faults.get('prod', String(node.faultId)))?.fault.resolved).toBe(false);

    await until(
      'the refreshed fault expired too, and every incident resolved',
      async () =>
        (await store.incidents.list({ cluster: 'prod' })).every((i) => i.state.status === 'resolved'),
      20_000,
    );
    const nodeFault = await store.faults.get('prod', String(node.faultId));
    expect(nodeFault?.fault.resolved).toBe(true);
    expect(nodeFault!.lastSeenAt.getTime()).toBeGreaterThanOrEqual(refreshedAt - 1_000 + ttlMs);
    const incidents = await store.incidents.list({ cluster: 'prod' });
    expect(incidents).toHaveLength(opened.length);
    for (const incident of incidents) {
      expect(incident.resolvedAt!.getTime() - sentAt).toBeGreaterThanOrEqual(ttlMs);
      const history = await store.incidents.history(incident.id);
      expect(JSON.stringify(history.at(-1))).toContain('mcp:fork expired after 3 s without refresh');
    }
  }, 60_000);
});
