/**
 * The watcher against what a real cluster does over time, end to end into incidents on real PostgreSQL: the
 * test replays a kubelet's crash-loop statuses with the admin client (no kubelet serves the ghost node), and
 * the real controllers make Deployments, ReplicaSets and Jobs whose pods must fold into one incident.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import type { Incident } from '../../core/domain/incident.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createKubeWatcher, type KubeWatcher } from '../../listeners/kube/kube-watcher.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { createGhostPod, retryOnConflict, useTestNamespace } from './cluster-objects.ts';
import { crashCycles, crashLoop } from './kubelet-dynamics.ts';

const healthyMs = 2_500;

describe('watcher dynamics on a real apiserver, through intake into PostgreSQL', () => {
  const space = useTestNamespace('dyn');
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let watcher: KubeWatcher;
  const received: Fault[] = [];

  const about = (name: string) => received.filter((f) => f.resource.name === name);
  const edges = (faults: readonly Fault[]) =>
    faults.map((f) => `${f.resolved ? 'resolved' : 'firing'} ${f.class}`);
  const openIncident = (fingerprint: string) => store.incidents.findOpenByFingerprint('harness', fingerprint);
  /** Every incident of this test's namespace, open or not. */
  async function incidentsOfNamespace(): Promise<Incident[]> {
    const all = await store.incidents.list({ cluster: 'harness', limit: 1_000 });
    return all.filter((i) => i.fingerprint.includes(`/${space.name}/`));
  }

  async function writeStatus(name: string, status: NonNullable<V1Pod['status']>): Promise<void> {
    // The node lifecycle controller also writes the status of pods on a node that never reports.
    await retryOnConflict(async () => {
      const pod = await space.client.core.readNamespacedPod({ name, namespace: space.name });
      await space.client.core.replaceNamespacedPodStatus({
        name,
        namespace: space.name,
        body: { ...pod, status },
      });
    });
  }

  async function podsOf(app: string, count: number): Promise<V1Pod[]> {
    let pods: V1Pod[] = [];
    await until(`${count} pods of ${app}`, async () => {
      const list = await space.client.core.listNamespacedPod({
        namespace: space.name,
        labelSelector: `app=${app}`,
      });
      pods = list.items;
      return pods.length === count;
    });
    return pods;
  }

  /** A Deployment whose pods land on the ghost node (no scheduler, no kubelet: only the test writes status). */
  async function ghostDeployment(name: string, replicas: number, volumeClaim?: string): Promise<V1Pod[]> {
    await space.client.apps.createNamespacedDeployment({
      namespace: space.name,
      body: {
        metadata: { name },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              ...(volumeClaim === undefined && { nodeName: space.node }),
              containers: [{ name: 'app', image: 'registry.example/app:1' }],
              ...(volumeClaim !== undefined && {
                volumes: [{ name: 'data', persistentVolumeClaim: { claimName: volumeClaim } }],
              }),
            },
          },
        },
      },
    });
    return podsOf(name, replicas);
  }

  async function pendingClaim(name: string): Promise<void> {
    await space.client.core.createNamespacedPersistentVolumeClaim({
      namespace: space.name,
      body: {
        metadata: { name },
        spec: {
          storageClassName: 'none-such',
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    const { intake } = incidentServices(store);
    watcher = createKubeWatcher({
      kubeconfig: space.client.config,
      cluster: 'harness',
      sink: async (fault) => {
        received.push(fault);
        // Other tests' ghost nodes go NotReady in the shared cluster: only this namespace's faults are folded.
        if (fault.resource.namespace === space.name) await intake.ingest(fault);
      },
      logger: silentLogger,
      filters: { includeNamespaces: [space.name] },
      graceMs: 1_000,
      healthyMs,
      eventTtlMs: 60_000,
      fetchLogs: false,
    });
    await watcher.start();
  });
  afterAll(async () => {
    await watcher.stop();
    await store.close();
    await database.drop();
  });

  it('keeps a replayed crash loop one fault and one open incident, refines its class, and resolves both after the healthy period', async () => {
    await createGhostPod(space.client, space.name, 'looper', {}, space.node);
    const fingerprint = `resource:Pod/${space.name}/looper`;
    // Four back-off cycles: exit 1 → waiting CrashLoopBackOff (lastState exit 1) → running → exit 1 → …
    for (const status of crashCycles(4)) {
      await writeStatus('looper', status);
      await sleep(150);
    }
    await writeStatus('looper', crashLoop.backingOff(4));
    await sleep(healthyMs / 2);
    expect(edges(about('looper'))).toEqual(['firing ContainerErrorExit', 'firing CrashLoopBackOff']);
    expect(new Set(about('looper').map((f) => f.faultId)).size).toBe(1);
    const incident = await openIncident(fingerprint);
    if (!incident) throw new Error(`no open incident ${fingerprint}`);
    expect(await store.incidents.members(incident.id)).toHaveLength(1);
    const stored = await store.faults.get('harness', about('looper')[0]?.faultId ?? '');
    expect(stored).toMatchObject({ fault: { class: 'CrashLoopBackOff', resolved: false }, occurrences: 2 });

    // The fix: the container runs ready and does not restart.
    await writeStatus('looper', crashLoop.running(5));
    const fixedAt = Date.now();
    await until('crash loop resolved', () => about('looper').some((f) => f.resolved), healthyMs + 10_000);
    const resolved = about('looper').find((f) => f.resolved);
    expect(resolved?.observedAt.getTime()).toBeGreaterThanOrEqual(fixedAt + healthyMs - 250);
    expect(resolved).toMatchObject({ faultId: about('looper')[0]?.faultId, class: 'CrashLoopBackOff' });
    await until(
      'incident resolved',
      async () => (await store.incidents.get(incident.id))?.state.status === 'resolved',
    );
    const history = await store.incidents.history(incident.id);
    expect(history.map((h) => `${h.from}->${h.to}`)).toEqual([
      'detected->triage_queued',
      'triage_queued->resolved',
    ]);
  });

  it('folds 30 crash-looping replicas and their Deployment’s unavailability into one incident', async () => {
    const pods = await ghostDeployment('shop', 30);
    for (const pod of pods) await writeStatus(pod.metadata?.name ?? '', crashLoop.backingOff(1));
    await until(
      'every replica and the Deployment reported',
      () =>
        pods.every((p) => about(p.metadata?.name ?? '').length > 0) &&
        received.some((f) => f.resource.kind === 'Deployment' && f.resource.name === 'shop'),
      30_000,
    );
    const unavailable = received.find((f) => f.resource.kind === 'Deployment' && f.resource.name === 'shop');
    expect(unavailable).toMatchObject({
      class: 'WorkloadUnavailable',
      context: { message: '30 of 30 replicas unavailable' },
    });
    const podFault = about(pods[0]?.metadata?.name ?? '')[0];
    expect(podFault?.context.owners?.map((o) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
    expect(podFault?.context).toMatchObject({ node: space.node });

    const fingerprint = `workload:Deployment/${space.name}/shop`;
    await until('31 members folded', async () => {
      const incident = await openIncident(fingerprint);
      return incident !== undefined && (await store.incidents.members(incident.id)).length === 31;
    });
    const ofShop = (await incidentsOfNamespace()).filter((i) => i.fingerprint.includes('shop'));
    expect(ofShop.map((i) => i.fingerprint)).toEqual([fingerprint]);
    const incident = ofShop[0];
    const history = incident ? await store.incidents.history(incident.id) : [];
    expect(history.filter((h) => h.event === 'triage.requested')).toHaveLength(1);

    // A replica deleted (its ReplicaSet makes a new one): its fault resolves at once, still placed as it was.
    const gone = pods[0]?.metadata?.name ?? '';
    await space.client.core.deleteNamespacedPod({ name: gone, namespace: space.name, gracePeriodSeconds: 0 });
    await until('deleted replica resolved', () => about(gone).some((f) => f.resolved));
    expect(
      about(gone)
        .find((f) => f.resolved)
        ?.context.owners?.map((o) => o.kind),
    ).toEqual(['ReplicaSet', 'Deployment']);
  });

  it('places probe failures from Events with their pod’s owners and node: three pods, one incident', async () => {
    const pods = await ghostDeployment('web', 3);
    for (const pod of pods) {
      await space.client.core.createNamespacedEvent({
        namespace: space.name,
        body: {
          metadata: { name: `${pod.metadata?.name ?? ''}.probe` },
          involvedObject: {
            kind: 'Pod',
            namespace: space.name,
            name: pod.metadata?.name ?? '',
            uid: pod.metadata?.uid ?? '',
            fieldPath: 'spec.containers{app}',
          },
          reason: 'Unhealthy',
          type: 'Warning',
          message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
          count: 1,
          lastTimestamp: new Date(),
        },
      });
    }
    await until('three probe failures', () => received.filter((f) => f.class === 'ProbeFailure').length >= 3);
    for (const fault of received.filter((f) => f.class === 'ProbeFailure')) {
      expect(fault.context.owners?.at(-1)).toMatchObject({ kind: 'Deployment', name: 'web' });
      expect(fault.context.node).toBe(space.node);
    }
    const fingerprint = `workload:Deployment/${space.name}/web`;
    await until('three probe failures in one incident', async () => {
      const incident = await openIncident(fingerprint);
      const members = incident ? await store.incidents.members(incident.id) : [];
      const probes = received.filter((f) => f.class === 'ProbeFailure').map((f) => f.faultId);
      return probes.every((id) => members.some((m) => m.faultId === id));
    });
    const ofWeb = (await incidentsOfNamespace()).filter((i) => i.fingerprint.includes('/web'));
    expect(ofWeb.map((i) => i.fingerprint)).toEqual([fingerprint]);
  });

  it('folds a Pending claim into the incident of the Deployment whose pod waits for it', async () => {
    await ghostDeployment('db', 1, 'db-data');
    await pendingClaim('db-data');
    await until('claim reported', () => about('db-data').length > 0);
    expect(about('db-data')[0]?.context.owners?.map((o) => o.kind)).toEqual([
      'Pod',
      'ReplicaSet',
      'Deployment',
    ]);
    const fingerprint = `workload:Deployment/${space.name}/db`;
    await until('claim folded with its pod', async () => {
      const incident = await openIncident(fingerprint);
      const members = incident ? await store.incidents.members(incident.id) : [];
      return members.some((m) => m.faultId === about('db-data')[0]?.faultId);
    });
    const ofDb = (await incidentsOfNamespace()).filter((i) => i.fingerprint.includes('db'));
    expect(ofDb.map((i) => i.fingerprint)).toEqual([fingerprint]);
  });

  it('folds a Pending claim and the bare pod waiting for it into one incident', async () => {
    await space.client.core.createNamespacedPod({
      namespace: space.name,
      body: {
        metadata: { name: 'lonely' },
        spec: {
          containers: [{ name: 'app', image: 'registry.example/app:1' }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'lonely-data' } }],
        },
      },
    });
    await pendingClaim('lonely-data');
    await until(
      'pod and claim reported',
      () => about('lonely').length > 0 && about('lonely-data').length > 0,
    );
    expect(about('lonely')[0]).toMatchObject({ class: 'Unschedulable' });
    const fingerprint = `resource:Pod/${space.name}/lonely`;
    await until('claim folded with the pod', async () => {
      const incident = await openIncident(fingerprint);
      return incident !== undefined && (await store.incidents.members(incident.id)).length === 2;
    });
    const ofLonely = (await incidentsOfNamespace()).filter((i) => i.fingerprint.includes('lonely'));
    expect(ofLonely.map((i) => i.fingerprint)).toEqual([fingerprint]);
  });

  it('follows a Job’s pod up to its CronJob', async () => {
    const cron = await space.client.batch.createNamespacedCronJob({
      namespace: space.name,
      body: {
        metadata: { name: 'nightly' },
        spec: {
          schedule: '0 3 * * *',
          suspend: true,
          jobTemplate: {
            spec: {
              template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'x' }] } },
            },
          },
        },
      },
    });
    await space.client.batch.createNamespacedJob({
      namespace: space.name,
      body: {
        metadata: {
          name: 'nightly-29000000',
          ownerReferences: [
            {
              apiVersion: 'batch/v1',
              kind: 'CronJob',
              name: 'nightly',
              uid: cron.metadata?.uid ?? '',
              controller: true,
            },
          ],
        },
        spec: {
          backoffLimit: 3,
          template: {
            metadata: { labels: { app: 'nightly' } },
            spec: {
              restartPolicy: 'OnFailure',
              nodeName: space.node,
              containers: [{ name: 'app', image: 'registry.example/app:1' }],
            },
          },
        },
      },
    });
    const [pod] = await podsOf('nightly', 1);
    await writeStatus(pod?.metadata?.name ?? '', crashLoop.backingOff(1));
    await until('job pod reported', () => about(pod?.metadata?.name ?? '').length > 0);
    expect(about(pod?.metadata?.name ?? '')[0]?.context.owners).toMatchObject([
      { kind: 'Job', name: 'nightly-29000000' },
      { kind: 'CronJob', name: 'nightly', uid: cron.metadata?.uid },
    ]);
    await until(
      'folded under the CronJob',
      async () => (await openIncident(`workload:CronJob/${space.name}/nightly`)) !== undefined,
    );
  });
});
