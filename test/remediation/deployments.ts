import type { KubeClient } from '../harness/kube-helpers.ts';

/** A Deployment kwok runs (pods become Running on the fake nodes), for actions to act on. */
export async function createDeployment(client: KubeClient, namespace: string, name: string, replicas = 2) {
  const labels = { app: name };
  await client.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
        },
      },
    },
  });
}
