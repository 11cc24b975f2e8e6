/**
 * The fork's owner-less pod faults about a cluster Watchkeeper can read: owners come from the real apiserver
 * (Deployment → ReplicaSet → Pods made by the real controller-manager), so one Deployment's crashing pods are one
 * incident, and a pod the cluster no longer has is cleared ("pod gone"). Real MCP session, real PostgreSQL.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createKubeOwnerLookup } from '../../listeners/kube/owner-lookup.ts';
import { McpFaultSource } from '../../listeners/mcp/mcp-fault-source.ts';
import type { ClusterAccess, OwnerLookup } from '../../listeners/mcp/owner-lookup.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { startForkFake, type ForkFake } from './fork-fake-server.ts';

const cluster = 'harness';

/** The recorded CrashLoop notification, about another pod. */
async function crashLoopOf(pod: V1Pod, faultId: string): Promise<Record<string, unknown>> {
  const [recorded] = JSON.parse(
    await readFile(new URL('fixtures/fork-faults.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>[];
  return {
    ...recorded,
    faultId,
    timestamp: new Date().toISOString(),
    resource: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      uid: pod.metadata?.uid,
    },
  };
}

describe('owner-less MCP pod faults about a cluster Watchkeeper can read', () => {
  let client: KubeClient;
  let namespace: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let fork: ForkFake;
  let lookup: OwnerLookup;
  const sources: McpFaultSource[] = [];
  let pods: V1Pod[];

  async function listen(name: string, access: ClusterAccess | undefined): Promise<McpFaultSource> {
    const { intake } = incidentServices(store);
    const source = new McpFaultSource(
      { name, url: fork.url, cluster, pingIntervalMs: 500, recheckIntervalMs: 300 },
      (fault) => intake.ingest(fault),
      silentLogger,
      access ? { access } : {},
    );
    sources.push(source);
    void source.run();
    await until(`${name} connected`, () => source.current().status === 'connected');
    return source;
  }

  /** Each test below its first listens alone: the fork fake sends every notification to every session. */
  const stopSources = () => Promise.all(sources.splice(0).map((s) => s.stop()));

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'mcpown');
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    fork = await startForkFake();
    lookup = createKubeOwnerLookup(client.config, { cacheMs: 100 });
    const labels = { app: 'checkout' };
    await client.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'checkout' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'app', image: 'registry.example/checkout:1' }] },
          },
        },
      },
    });
    await until(
      'the controller made three pods',
      async () => {
        pods = (await client.core.listNamespacedPod({ namespace, labelSelector: 'app=checkout' })).items;
        return pods.length === 3;
      },
      60_000,
    );
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await fork.close();
    await store.close();
    await database.drop();
    await deleteNamespace(client, namespace);
  });

  it('reads the owner chain Pod → ReplicaSet → Deployment from the apiserver, and 404 as gone', async () => {
    const pod = pods[0]!;
    const facts = await lookup.find({ kind: 'Pod', namespace, name: pod.metadata!.name! });
    const rs = pod.metadata?.ownerReferences?.[0];
    const deployment = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
    expect(facts).toEqual({
      uid: pod.metadata?.uid,
      owners: [
        { kind: 'ReplicaSet', name: rs?.name, uid: rs?.uid },
        { kind: 'Deployment', name: 'checkout', uid: deployment.metadata?.uid },
      ],
    });
    expect(await lookup.find({ kind: 'Pod', namespace, name: 'no-such-pod' })).toBeUndefined();
  });

  it('folds the fork’s owner-less faults of one Deployment’s 3 pods into 1 incident, owners recorded as from the cluster', async () => {
    const source = await listen('fork', { cluster, lookup });
    for (const [i, pod] of pods.entries()) await fork.emit(await crashLoopOf(pod, `own-${i}`));
    await until('three faults stored', () => source.current().faults === 3);
    const incidents = await store.incidents.list({ cluster });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      fingerprint: `workload:Deployment/${namespace}/checkout`,
    });
    expect(await store.incidents.members(incidents[0]!.id)).toHaveLength(3);
    const stored = await store.faults.get(cluster, 'own-0');
    expect(stored?.fault.context.owners?.map((o) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
    expect(stored?.fault.raw).toMatchObject({ ownersFrom: 'cluster' });
    expect(source.current()).toMatchObject({ ownersFromCluster: 3, podRecheck: true, reconcile: 'none' });
  });

  it('reports a fault cleared, "pod gone", once its pod is deleted, and leaves the others firing', async () => {
    const source = sources[0]!;
    const gone = pods[0]!;
    await client.core.deleteNamespacedPod({
      namespace,
      name: gone.metadata!.name!,
      gracePeriodSeconds: 0,
    });
    await until('the fault of the deleted pod is cleared', async () => {
      const stored = await store.faults.get(cluster, 'own-0');
      return stored?.fault.resolved === true && source.current().podsGone === 1;
    });
    const stored = await store.faults.get(cluster, 'own-0');
    expect(stored?.fault.context.reason).toBe('pod gone');
    expect(stored?.fault.context.resolution).toEqual({ reason: 'pod gone' });
    expect(stored?.fault.context.message).toContain(`Pod ${namespace}/${gone.metadata?.name}`);
    expect(source.current().podsGone).toBe(1);
    await sleep(1_000); // several more re-check rounds: the live pods stay firing
    for (const id of ['own-1', 'own-2'])
      expect((await store.faults.get(cluster, id))?.fault.resolved).toBe(false);
    expect(source.current().podsGone).toBe(1);
  });

  it('looks nothing up for another cluster, or for names no Kubernetes object can have', async () => {
    await stopSources();
    const requests: string[] = [];
    const counting: OwnerLookup = {
      kinds: lookup.kinds,
      find: (ref) => {
        requests.push(ref.name);
        return lookup.find(ref);
      },
    };
    const received: Fault[] = [];
    const source = new McpFaultSource(
      { name: 'elsewhere', url: fork.url, cluster: 'other-cluster' },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      silentLogger,
      { access: { cluster, lookup: counting } },
    );
    sources.push(source);
    void source.run();
    await until('connected', () => source.current().status === 'connected');
    await fork.emit(await crashLoopOf(pods[1]!, 'other-1'));
    await until('taken', () => received.some((f) => f.faultId === 'other-1'));
    expect(received.find((f) => f.faultId === 'other-1')?.context.owners).toBeUndefined();
    expect(source.current().podRecheck).toBe(true);
    await stopSources();

    const same = new McpFaultSource(
      { name: 'hostile', url: fork.url, cluster },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      silentLogger,
      { access: { cluster, lookup: counting } },
    );
    sources.push(same);
    void same.run();
    await until('connected', () => same.current().status === 'connected');
    const base = await crashLoopOf(pods[1]!, 'hostile-1');
    await fork.emit({ ...base, resource: { kind: 'Pod', namespace, name: '../../../api/v1/secrets' } });
    await fork.emit({
      ...base,
      faultId: 'hostile-2',
      resource: { kind: 'Pod', namespace: 'a/b', name: 'x' },
    });
    await until('both taken', () => received.filter((f) => f.faultId.startsWith('hostile')).length === 2);
    expect(requests).toEqual([]);
  });

  it('never holds intake up when the cluster cannot answer', async () => {
    await stopSources();
    const broken: OwnerLookup = {
      kinds: lookup.kinds,
      find: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
    };
    const received: Fault[] = [];
    const source = new McpFaultSource(
      { name: 'unreadable', url: fork.url, cluster },
      (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      silentLogger,
      { access: { cluster, lookup: broken } },
    );
    sources.push(source);
    void source.run();
    await until('connected', () => source.current().status === 'connected');
    await fork.emit(await crashLoopOf(pods[2]!, 'unreadable-1'));
    await until('taken without owners', () => received.some((f) => f.faultId === 'unreadable-1'));
    const fault = received.find((f) => f.faultId === 'unreadable-1');
    expect(fault?.context.owners).toBeUndefined();
    expect(fault?.raw).toBeUndefined();
  });
});
