import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices } from './incident-harness.ts';
import { buildStorm, ingestConcurrently, stormOrder } from './storm-scenario.ts';

describe('a fault storm on real PostgreSQL', () => {
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

  it('folds 1,051 faults into 11 incidents with 11 queued triages, every fault in the right incident', async () => {
    const storm = buildStorm();
    const { intake } = incidentServices(store);
    const faults = stormOrder(storm);
    const outcomes = await ingestConcurrently(intake, faults, 16);

    expect(outcomes).toHaveLength(1051);
    const incidents = await store.incidents.list({ limit: 1000 });
    expect(incidents).toHaveLength(11);
    expect(await store.queue.pending('triage')).toBe(11);
    expect(await store.faults.count()).toBe(1051);

    const byFingerprint = new Map(incidents.map((incident) => [incident.fingerprint, incident]));
    let attached = 0;
    for (const incident of incidents) {
      const members = await store.incidents.members(incident.id);
      attached += members.length;
      expect(incident.faultCount).toBe(members.length);
      for (const member of members) {
        expect(storm.expectedFingerprint.get(member.faultId)).toBe(incident.fingerprint);
      }
      expect(incident.state.status).toBe('triage_queued');
    }
    expect(attached).toBe(1051);
    expect(byFingerprint.get('node:node-7')?.faultCount).toBe(51);
    expect(byFingerprint.get('node:node-7')?.severity).toBe('critical');
    const node = byFingerprint.get('node:node-7');
    if (!node) throw new Error('no node incident');
    const reasons = new Set((await store.incidents.members(node.id)).map((m) => m.reason));
    expect(reasons).toEqual(new Set(['primary', 'same_node']));
  });

  it('treats a replay of the whole storm as duplicates: nothing new, nothing lost', async () => {
    const { intake } = incidentServices(store);
    const outcomes = await ingestConcurrently(intake, stormOrder(buildStorm()), 16);
    expect(outcomes.every((o) => o.kind === 'duplicate')).toBe(true);
    expect(await store.incidents.list({ limit: 1000 })).toHaveLength(11);
    expect(await store.queue.pending('triage')).toBe(11);
  });
});
