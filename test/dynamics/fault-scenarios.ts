/** The fault classes of issue 13 on the real node: each a real failing workload, how long to watch it, its fix. */
import { freePort } from '../harness/process.ts';
import {
  failingJob,
  faultyContainers,
  fixDeployment,
  realDeployment,
  realPod,
  setPodImage,
} from '../harness/real-node-helpers.ts';
import { maxRestarts, someWaiting, type Scenario } from './scenario.ts';

const minutes = (n: number) => n * 60_000;

/** A bare pod whose container is the fault; the fix sets its image to the healthy one. */
function podScenario(
  name: string,
  container: Parameters<typeof realPod>[2] | ((port: number) => Parameters<typeof realPod>[2]),
  watchedEnough: Scenario['watchedEnough'],
  watchTimeoutMs: number,
): Scenario {
  return {
    name,
    async create({ client, node, namespace }) {
      const spec = typeof container === 'function' ? container(await freePort()) : container;
      await client.core.createNamespacedPod({ namespace, body: realPod(node, name, spec) });
    },
    watchedEnough,
    watchTimeoutMs,
    async fix({ client, node, namespace }) {
      await setPodImage(client, namespace, name, node.images.healthy);
    },
  };
}

/**
 * Several real back-off cycles: with the node's cap of 40 s the restarts come at about 2, 14, 36, 78 and 120 s,
 * so 4 restarts span the 10 s, 20 s and 40 s back-offs (the first cycles are where a watcher sees waiting and
 * terminated alternate).
 */
const severalCycles = 4;

export function crashLoopScenario(node: Parameters<typeof faultyContainers.crashLoop>[0]): Scenario {
  return podScenario(
    'crashloop',
    faultyContainers.crashLoop(node),
    (pods) => maxRestarts(pods) >= severalCycles,
    minutes(4),
  );
}

export function faultScenarios(node: Parameters<typeof faultyContainers.crashLoop>[0]): Scenario[] {
  return [
    crashLoopScenario(node),
    podScenario(
      'oomkilled',
      faultyContainers.oomKilled(node),
      (pods) => maxRestarts(pods) >= severalCycles,
      minutes(4),
    ),
    podScenario(
      'imagepull',
      (port) => faultyContainers.imagePull(port),
      // Image pull back-off also doubles from 10 s: attempts at about 0, 10, 30 and 70 s.
      (pods, elapsedMs) => someWaiting(pods, 'ImagePullBackOff') && elapsedMs > 90_000,
      minutes(3),
    ),
    podScenario(
      'readiness',
      faultyContainers.failingReadiness(node),
      // Unready for well over the watcher's Event TTL, so a fault that only lived on one Event would have expired.
      (_pods, elapsedMs) => elapsedMs > 100_000,
      minutes(3),
    ),
    podScenario(
      'liveness',
      faultyContainers.failingLiveness(node),
      // Liveness kills come fast (probe every 2 s): watch past several restarts and the first back-offs.
      (pods, elapsedMs) => maxRestarts(pods) >= severalCycles && elapsedMs > 60_000,
      minutes(4),
    ),
    {
      name: 'configkey',
      async create({ client, node, namespace }) {
        await client.core.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name: 'settings' }, data: { other: 'x' } },
        });
        await client.core.createNamespacedPod({
          namespace,
          body: realPod(node, 'configkey', faultyContainers.missingConfigMapKey(node, 'settings', 'wanted')),
        });
      },
      watchedEnough: (pods, elapsedMs) =>
        someWaiting(pods, 'CreateContainerConfigError') && elapsedMs > 90_000,
      watchTimeoutMs: minutes(3),
      // The fix a person makes: the missing key is added; the kubelet's next retry starts the container.
      async fix({ client, namespace }) {
        await client.core.patchNamespacedConfigMap({
          name: 'settings',
          namespace,
          body: [{ op: 'add', path: '/data/wanted', value: 'yes' }],
        });
      },
    },
    {
      name: 'unschedulable',
      async create({ client, node, namespace }) {
        await client.apps.createNamespacedDeployment({
          namespace,
          body: realDeployment(node, 'unschedulable', 1, faultyContainers.unschedulable(node)),
        });
      },
      // Past the watcher's grace for the Deployment's own unavailability, so that fault exists too.
      watchedEnough: (_pods, elapsedMs) => elapsedMs > 60_000,
      watchTimeoutMs: minutes(2),
      async fix({ client, node, namespace }) {
        await fixDeployment(client, namespace, 'unschedulable', node);
      },
    },
    {
      name: 'job',
      async create({ client, node, namespace }) {
        await client.batch.createNamespacedJob({ namespace, body: failingJob(node, 'migrate') });
      },
      labelSelector: 'job=migrate',
      // Two failed pods (backoffLimit 1, the retry after the Job controller's 10 s back-off), then a minute failed.
      watchedEnough: (pods, elapsedMs) =>
        pods.filter((p) => p.status?.phase === 'Failed').length >= 2 && elapsedMs > 90_000,
      watchTimeoutMs: minutes(3),
      // A failed Job stays failed: the fix is removing it (and running a good one, which is not a fault).
      async fix({ client, namespace }) {
        await client.batch.deleteNamespacedJob({
          name: 'migrate',
          namespace,
          propagationPolicy: 'Background',
        });
      },
    },
  ];
}
