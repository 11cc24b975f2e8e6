import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { createKubeWatcher, type KubeWatcher } from '../../listeners/kube/kube-watcher.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createGhostPod, ghostNode, podStatus, retryOnConflict, setPodStatus } from './cluster-objects.ts';

describe('the Kubernetes fault watcher on a real apiserver', () => {
  let client: KubeClient;
  let namespace: string;
  let watcher: KubeWatcher;
  const received: Fault[] = [];

  const about = (name: string) => received.filter((f) => f.resource.name === name);
  async function waitFor(what: string, match: (f: Fault) => boolean, timeoutMs = 20_000): Promise<Fault> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = received.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `${what}: not reported in ${timeoutMs} ms; got ${JSON.stringify(received.map((f) => [f.class, f.resource.name, f.resolved]))}`,
        );
      }
      await sleep(100);
    }
  }

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'watch');
    await createGhostPod(client, namespace, 'already-crashing');
    await setPodStatus(client, namespace, 'already-crashing', podStatus.crashLooping());
    watcher = createKubeWatcher({
      kubeconfig: client.config,
      cluster: 'harness',
      sink: (fault) => {
        received.push(fault);
        return Promise.resolve();
      },
      logger: silentLogger,
      filters: { includeNamespaces: [namespace] },
      graceMs: 1_000,
      cooldownMs: 0,
      eventTtlMs: 2_000,
      healthyMs: 1_000,
      sweepMs: 200,
    });
    await watcher.start();
  });
  afterAll(async () => {
    await watcher.stop();
    await deleteNamespace(client, namespace);
  });

  it('reports a fault that existed before it started, once', async () => {
    await waitFor('pre-existing crash loop', (f) => f.resource.name === 'already-crashing');
    await sleep(500);
    expect(about('already-crashing').filter((f) => !f.resolved)).toHaveLength(1);
  });

  it('reports CrashLoopBackOff with its context, and resolved once the container has run ready for the healthy period', async () => {
    await createGhostPod(client, namespace, 'crasher');
    await setPodStatus(
      client,
      namespace,
      'crasher',
      podStatus.crashLooping(2, 'Error', 'DB_PASSWORD=hunter2 rejected'),
    );
    const fault = await waitFor('crash loop', (f) => f.resource.name === 'crasher' && !f.resolved);
    expect(fault).toMatchObject({
      class: 'CrashLoopBackOff',
      severity: 'high',
      container: 'app',
      source: { kind: 'kube-watcher' },
      resource: { kind: 'Pod', namespace, name: 'crasher' },
      context: { exitCode: 2, restartCount: 4, node: ghostNode, message: 'DB_PASSWORD=[REDACTED] rejected' },
    });
    await setPodStatus(client, namespace, 'crasher', podStatus.running());
    const resolved = await waitFor('crash loop resolved', (f) => f.resource.name === 'crasher' && f.resolved);
    expect(resolved.faultId).toBe(fault.faultId);
    expect(about('crasher')).toHaveLength(2);
  });

  it.each([
    ['oom', 'OOMKilled', () => podStatus.crashLooping(137, 'OOMKilled', ''), { exitCode: 137 }],
    [
      'pull',
      'ImagePullBackOff',
      () => podStatus.waiting('ImagePullBackOff', 'Back-off pulling image "x"'),
      { reason: 'ImagePullBackOff' },
    ],
    [
      'badconfig',
      'ContainerConfigError',
      () => podStatus.waiting('CreateContainerConfigError', 'secret "db" not found'),
      { reason: 'CreateContainerConfigError' },
    ],
    ['evicted', 'Evicted', podStatus.evicted, { reason: 'Evicted' }],
    ['restarting', 'ContainerErrorExit', podStatus.exitedWithError, { exitCode: 2, restartCount: 2 }],
  ] as const)('reports %s pods as %s, one fault each', async (name, cls, status, context) => {
    await createGhostPod(client, namespace, name);
    await setPodStatus(client, namespace, name, status());
    const fault = await waitFor(cls, (f) => f.resource.name === name);
    expect(fault.class).toBe(cls);
    expect(fault.context).toMatchObject(context);
    await sleep(300);
    expect(about(name)).toHaveLength(1);
  });

  it('reports a pod the scheduler cannot place as Unschedulable', async () => {
    await client.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'nowhere' },
        spec: {
          nodeSelector: { 'watchkeeper.test/none': 'true' },
          containers: [{ name: 'app', image: 'x' }],
        },
      },
    });
    const fault = await waitFor('unschedulable', (f) => f.resource.name === 'nowhere');
    expect(fault).toMatchObject({ class: 'Unschedulable', context: { reason: 'Unschedulable' } });
    expect(fault.context.message).toMatch(/node\(s\) didn't match/);
  });

  it('reports a failing probe from its Events, with the Event as context, and resolves it when they stop', async () => {
    await createGhostPod(client, namespace, 'unhealthy');
    const pod = await client.core.readNamespacedPod({ name: 'unhealthy', namespace });
    await client.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: 'unhealthy.probe' },
        involvedObject: {
          kind: 'Pod',
          namespace,
          name: 'unhealthy',
          uid: pod.metadata?.uid ?? '',
          fieldPath: 'spec.containers{app}',
        },
        reason: 'Unhealthy',
        type: 'Warning',
        message: 'Liveness probe failed: HTTP probe failed with statuscode: 500',
        count: 3,
        lastTimestamp: new Date(),
      },
    });
    const fault = await waitFor('probe failure', (f) => f.resource.name === 'unhealthy' && !f.resolved);
    expect(fault).toMatchObject({ class: 'ProbeFailure', container: 'app:liveness' });
    expect(fault.context.events?.[0]).toMatchObject({ type: 'Warning', reason: 'Unhealthy', count: 3 });
    const resolved = await waitFor(
      'probe failure resolved',
      (f) => f.resource.name === 'unhealthy' && f.resolved,
      10_000,
    );
    // The stored fault is replaced by its resolution: it keeps the Events it was reported with.
    expect(resolved.context.events?.[0]).toMatchObject({ reason: 'Unhealthy', count: 3 });
    expect(resolved.context.node).toBe(ghostNode);
  });

  it('reports a volume that fails to mount, from its Events', async () => {
    await createGhostPod(client, namespace, 'mounter');
    const pod = await client.core.readNamespacedPod({ name: 'mounter', namespace });
    await client.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: 'mounter.mount' },
        involvedObject: { kind: 'Pod', namespace, name: 'mounter', uid: pod.metadata?.uid ?? '' },
        reason: 'FailedMount',
        type: 'Warning',
        message: 'MountVolume.SetUp failed for volume "data" : secret "db-credentials" not found',
        lastTimestamp: new Date(),
      },
    });
    const fault = await waitFor('failed mount', (f) => f.resource.name === 'mounter');
    expect(fault).toMatchObject({ class: 'VolumeProblem', context: { reason: 'FailedMount' } });
  });

  it('reports a StatefulSet short of ready pods past the grace period', async () => {
    await client.apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'db' },
        spec: {
          replicas: 1,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: {
              nodeSelector: { 'watchkeeper.test/none': 'true' },
              containers: [{ name: 'db', image: 'x' }],
            },
          },
        },
      },
    });
    const fault = await waitFor(
      'statefulset unavailable',
      (f) => f.resource.name === 'db' && f.resource.kind === 'StatefulSet',
    );
    expect(fault).toMatchObject({ class: 'WorkloadUnavailable', context: { message: '0 of 1 ready' } });
  });

  it('reports a Deployment past its progress deadline', async () => {
    await client.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'stuck' },
        spec: {
          replicas: 1,
          progressDeadlineSeconds: 1,
          selector: { matchLabels: { app: 'stuck' } },
          template: {
            metadata: { labels: { app: 'stuck' } },
            spec: {
              nodeSelector: { 'watchkeeper.test/none': 'true' },
              containers: [{ name: 'app', image: 'x' }],
            },
          },
        },
      },
    });
    const fault = await waitFor(
      'rollout failed',
      (f) => f.resource.name === 'stuck' && f.class === 'DeploymentRolloutFailed',
      40_000,
    );
    expect(fault.class).toBe('DeploymentRolloutFailed');
  });

  it('reports a Job that failed (BackoffLimitExceeded)', async () => {
    await client.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'nightly' },
        spec: {
          suspend: true,
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'x' }] } },
        },
      },
    });
    const now = new Date();
    const condition = (type: string) => ({
      type,
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
      lastProbeTime: now,
      lastTransitionTime: now,
    });
    // The job controller writes the Job's status too (Suspended); retry on its conflicting updates.
    await retryOnConflict(async () => {
      const job = await client.batch.readNamespacedJob({ name: 'nightly', namespace });
      await client.batch.replaceNamespacedJobStatus({
        name: 'nightly',
        namespace,
        body: {
          ...job,
          status: {
            startTime: now,
            failed: 1,
            conditions: [condition('FailureTarget'), condition('Failed')],
          },
        },
      });
    });
    const fault = await waitFor('job failed', (f) => f.resource.name === 'nightly');
    expect(fault).toMatchObject({ class: 'JobFailed', context: { reason: 'BackoffLimitExceeded' } });
  });

  it('reports a PVC that stays Pending past the grace period', async () => {
    await client.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'data' },
        spec: {
          storageClassName: 'none-such',
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    const fault = await waitFor('pvc pending', (f) => f.resource.name === 'data');
    expect(fault).toMatchObject({ class: 'VolumeProblem', resource: { kind: 'PersistentVolumeClaim' } });
  });

  it('reports a node going NotReady and under memory pressure, and resolves when it recovers', async () => {
    const name = `watch-node-${namespace}`;
    await client.core.createNode({ body: { metadata: { name } } });
    try {
      const now = new Date();
      const condition = (type: string, status: string, reason: string) => ({
        type,
        status,
        reason,
        message: `${type} is ${status}`,
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      });
      const setConditions = (conditions: ReturnType<typeof condition>[]) =>
        retryOnConflict(async () => {
          const node = await client.core.readNode({ name });
          await client.core.replaceNodeStatus({ name, body: { ...node, status: { conditions } } });
        });
      await setConditions([
        condition('Ready', 'False', 'KubeletNotReady'),
        condition('MemoryPressure', 'True', 'KubeletHasInsufficientMemory'),
      ]);
      const notReady = await waitFor(
        'node not ready',
        (f) => f.resource.name === name && f.class === 'NodeNotReady',
      );
      expect(notReady).toMatchObject({ severity: 'critical', resource: { kind: 'Node' } });
      await waitFor('memory pressure', (f) => f.resource.name === name && f.class === 'NodePressure');
      await setConditions([
        condition('Ready', 'True', 'KubeletReady'),
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      ]);
      await waitFor(
        'node recovered',
        (f) => f.resource.name === name && f.class === 'NodeNotReady' && f.resolved,
      );
    } finally {
      await client.core.deleteNode({ name });
    }
  });

  it('resolves a pod’s faults when the pod is deleted', async () => {
    await createGhostPod(client, namespace, 'doomed');
    await setPodStatus(client, namespace, 'doomed', podStatus.crashLooping());
    await waitFor('doomed crash', (f) => f.resource.name === 'doomed');
    await client.core.deleteNamespacedPod({ name: 'doomed', namespace, gracePeriodSeconds: 0 });
    await waitFor('doomed resolved', (f) => f.resource.name === 'doomed' && f.resolved);
  });

  it('lists what holds now for reconciliation', () => {
    const active = watcher.activeFaults().map((f) => f.resource.name);
    expect(active).toContain('already-crashing');
    expect(active).not.toContain('crasher');
  });
});
