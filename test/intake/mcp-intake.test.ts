import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createKubeWatcher, type KubeWatcher } from '../../listeners/kube/kube-watcher.ts';
import { startEmitServer, type EmitServer } from '../../listeners/mcp/emit-server.ts';
import { McpFaultSource } from '../../listeners/mcp/mcp-fault-source.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { createGhostPod, podStatus, setPodStatus } from './cluster-objects.ts';

const token = 'emit-test-token';

describe('watcher → watchkeeper emit → MCP listener → store (real apiserver, real HTTP, real PostgreSQL)', () => {
  let client: KubeClient;
  let namespace: string;
  let node: string;
  let watcher: KubeWatcher;
  let emit: EmitServer | undefined;
  let port = 0;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  const sources: McpFaultSource[] = [];

  async function startEmit(): Promise<EmitServer> {
    const server = await startEmitServer({
      cluster: 'harness',
      token,
      host: '127.0.0.1',
      port,
      logger: silentLogger,
      version: 'test',
      keepAliveMs: 1_000,
    });
    port = Number(new URL(server.url).port);
    for (const fault of watcher.activeFaults()) server.publish(fault);
    emit = server;
    return server;
  }

  async function listen(mechanism: 'logging' | 'resources'): Promise<McpFaultSource> {
    const { intake } = incidentServices(store);
    const source = new McpFaultSource(
      {
        name: `emit-${mechanism}`,
        url: `http://127.0.0.1:${port}/mcp`,
        token,
        mechanism,
        pingIntervalMs: 300,
        maxBackoffMs: 500,
      },
      (fault) => intake.ingest(fault),
      silentLogger,
    );
    sources.push(source);
    void source.run();
    await until(`${mechanism} listener connected`, () => source.current().status === 'connected');
    return source;
  }

  const storedFor = async (pod: string) => {
    const incident = await store.incidents.findOpenByFingerprint(
      'harness',
      `resource:Pod/${namespace}/${pod}`,
    );
    return incident ? store.incidents.members(incident.id) : [];
  };

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'mcp');
    node = `ghost-${namespace}`;
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    watcher = createKubeWatcher({
      kubeconfig: client.config,
      cluster: 'harness',
      sink: (fault: Fault) => {
        emit?.publish(fault);
        return Promise.resolve();
      },
      logger: silentLogger,
      filters: { includeNamespaces: [namespace] },
      graceMs: 0,
      cooldownMs: 0,
      sweepMs: 200,
    });
    await watcher.start();
    await startEmit();
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await emit?.close();
    await watcher.stop();
    await store.close();
    await database.drop();
    await deleteNamespace(client, namespace);
    await client.core.deleteNode({ name: node }).catch(() => undefined);
  });

  it('delivers a crash through the fork-compatible mechanism (events_subscribe, logging)', async () => {
    const source = await listen('logging');
    await createGhostPod(client, namespace, 'via-logging', {}, node);
    await setPodStatus(client, namespace, 'via-logging', podStatus.crashLooping());
    await until('fault stored', async () => (await storedFor('via-logging')).length === 1);
    expect(source.current()).toMatchObject({ mechanism: 'logging', dropped: 0 });
    await source.stop();
  });

  it('delivers a crash through resource subscriptions', async () => {
    const source = await listen('resources');
    await createGhostPod(client, namespace, 'via-resources', {}, node);
    await setPodStatus(client, namespace, 'via-resources', podStatus.crashLooping());
    await until('fault stored', async () => (await storedFor('via-resources')).length === 1);
    expect(source.current().mechanism).toBe('resources');
    await source.stop();
  });

  it('recovers by itself when the emit server is killed and restarted, storing faults of the outage once', async () => {
    const source = await listen('logging');
    const connects = source.current().connects;
    await emit?.close();
    emit = undefined;
    await until('listener noticed', () => source.current().status !== 'connected');
    await createGhostPod(client, namespace, 'during-outage', {}, node);
    await setPodStatus(client, namespace, 'during-outage', podStatus.crashLooping());
    await until('watcher saw it', () =>
      watcher.activeFaults().some((f) => f.resource.name === 'during-outage'),
    );
    await startEmit();
    await until(
      'listener reconnected',
      () => source.current().status === 'connected' && source.current().connects > connects,
    );
    await until('fault of the outage stored', async () => (await storedFor('during-outage')).length === 1);
    await sleep(500);
    expect(await storedFor('during-outage')).toHaveLength(1);
    const pods = ['via-logging', 'via-resources', 'during-outage'];
    for (const pod of pods) expect(await storedFor(pod)).toHaveLength(1);
    await source.stop();
  });

  it('refuses a client without the bearer token', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});
