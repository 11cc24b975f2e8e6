import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from './kube-helpers.ts';
import { harness } from './use.ts';

async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`${what}: still not there after 60 s: ${JSON.stringify(value)}`);
    await sleep(250);
    value = await read();
  }
  return value;
}

describe('harness cluster', () => {
  let client: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'smoke');
  });
  afterAll(async () => {
    await deleteNamespace(client, namespace);
  });

  it('has kwok fake nodes that are Ready', async () => {
    expect(await client.nodesReady(harness('kube').nodes)).toBe(true);
  });

  it('runs a Deployment: the controller makes pods, the scheduler places them, kwok makes them Running', async () => {
    const labels = { app: 'smoke' };
    await client.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'smoke' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'app', image: 'registry.example/smoke:1' }] },
          },
        },
      },
    });
    const pods = await eventually(
      'three Running pods',
      async () => (await client.core.listNamespacedPod({ namespace, labelSelector: 'app=smoke' })).items,
      (items) => items.length === 3 && items.every((pod) => pod.status?.phase === 'Running'),
    );
    expect(new Set(pods.map((pod) => pod.spec?.nodeName)).size).toBeGreaterThan(0);
    expect(pods.every((pod) => harness('kube').nodes.includes(pod.spec?.nodeName ?? ''))).toBe(true);

    const deployment = await eventually(
      'the Deployment reports 3 available replicas',
      () => client.apps.readNamespacedDeployment({ namespace, name: 'smoke' }),
      (d) => d.status?.availableReplicas === 3,
    );
    expect(deployment.status?.readyReplicas).toBe(3);
  });

  it('mints ServiceAccount tokens through the TokenRequest API', async () => {
    await client.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    const token = await client.core.createNamespacedServiceAccountToken({
      namespace,
      name: 'reader',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    expect(token.status?.token.split('.')).toHaveLength(3);
  });
});
