/** Builders for test-cluster objects whose status the tests write themselves (no kubelet touches them). */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';

/**
 * Pods bound to a node no kubelet (and no kwok) serves: nothing but the test changes their status. The Node
 * object exists so the pod garbage collector does not delete the pods as orphans.
 */
export const ghostNode = 'ghost-node';

async function ensureGhostNode(client: KubeClient, name: string): Promise<void> {
  try {
    await client.core.createNode({
      body: { metadata: { name, labels: { 'watchkeeper.test/ghost': 'true' } } },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

export async function createGhostPod(
  client: KubeClient,
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  nodeName = ghostNode,
): Promise<V1Pod> {
  await ensureGhostNode(client, nodeName);
  return client.core.createNamespacedPod({
    namespace,
    body: {
      metadata: {
        name,
        labels: { app: name, ...labels },
        ownerReferences: [],
      },
      spec: { nodeName, containers: [{ name: 'app', image: 'registry.example/app:1' }] },
    },
  });
}

export async function setPodStatus(
  client: KubeClient,
  namespace: string,
  name: string,
  status: NonNullable<V1Pod['status']>,
): Promise<void> {
  const pod = await client.core.readNamespacedPod({ name, namespace });
  await client.core.replaceNamespacedPodStatus({ name, namespace, body: { ...pod, status } });
}

const container = (overrides: Partial<V1ContainerStatus>): V1ContainerStatus => ({
  name: 'app',
  image: 'registry.example/app:1',
  imageID: '',
  ready: false,
  restartCount: 0,
  ...overrides,
});

export const podStatus = {
  crashLooping: (exitCode = 1, reason = 'Error', message = 'panic: boom'): NonNullable<V1Pod['status']> => ({
    phase: 'Running',
    containerStatuses: [
      container({
        restartCount: 4,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app' },
        },
        lastState: {
          terminated: { exitCode, reason, message, startedAt: new Date(), finishedAt: new Date() },
        },
      }),
    ],
  }),
  waiting: (reason: string, message: string): NonNullable<V1Pod['status']> => ({
    phase: 'Pending',
    containerStatuses: [container({ state: { waiting: { reason, message } } })],
  }),
  exitedWithError: (): NonNullable<V1Pod['status']> => ({
    phase: 'Running',
    containerStatuses: [
      container({
        restartCount: 2,
        state: { running: { startedAt: new Date() } },
        lastState: {
          terminated: {
            exitCode: 2,
            reason: 'Error',
            message: 'config parse error',
            startedAt: new Date(),
            finishedAt: new Date(),
          },
        },
      }),
    ],
  }),
  running: (): NonNullable<V1Pod['status']> => ({
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [
      container({ ready: true, restartCount: 4, state: { running: { startedAt: new Date() } } }),
    ],
  }),
  evicted: (): NonNullable<V1Pod['status']> => ({
    phase: 'Failed',
    reason: 'Evicted',
    message:
      'The node was low on resource: memory. Container app was using 1Gi, which exceeds its request of 0.',
  }),
};

/** Read-modify-write against objects controllers also write (Jobs, Nodes): retried on 409 Conflict. */
export async function retryOnConflict(write: () => Promise<unknown>, attempts = 10): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await write();
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

export interface TestNamespace {
  client: KubeClient;
  /** The namespace's name. */
  name: string;
  /** A ghost node of its own, so no other test's NotReady node takes its pods' faults in. */
  node: string;
}

/** A namespace for one test file, made before its tests and removed (with its ghost node) after them. */
export function useTestNamespace(prefix: string): TestNamespace {
  const space = {} as TestNamespace;
  beforeAll(async () => {
    space.client = kubeClient(harness('kube').kubeconfigPath);
    space.name = await createNamespace(space.client, prefix);
    space.node = `ghost-${space.name}`;
  });
  afterAll(async () => {
    await deleteNamespace(space.client, space.name);
    await space.client.core.deleteNode({ name: space.node }).catch(() => undefined);
  });
  return space;
}

/** Configuration lines that point the watcher at the test cluster, limited to one namespace. */
export function watcherConfigLines(namespace: string): string[] {
  return [
    'watcher:',
    `  kubeconfig: ${harness('kube').kubeconfigPath}`,
    `  namespaces: { include: [${namespace}] }`,
  ];
}
