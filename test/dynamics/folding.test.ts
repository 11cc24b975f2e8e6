/**
 * One incident per probable cause with real pods: a Deployment of 30 crash-looping real replicas is one
 * incident with one triage, and the Deployment's own unavailability fault is a member of it; a Pending PVC and
 * the pod waiting on it are one incident.
 */
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { faultyContainers, fixDeployment, onRealNode, realDeployment } from '../harness/real-node-helpers.ts';
import { kubeClient } from '../harness/kube-helpers.ts';
import { dynamicsEnv } from './env.ts';
import { maxRestarts, runScenario } from './scenario.ts';
import { quietPeriodMs } from './watchkeeper-on-cluster.ts';

/** 30 replicas of a 5m-CPU, 8 MiB-request static container fit the 2-core node many times over. */
export const replicas = 30;

describe.concurrent('folding real faults by probable cause', () => {
  const env = dynamicsEnv();
  it(
    `a Deployment of ${replicas} crash-looping replicas is one incident with its unavailability`,
    { timeout: 14 * 60_000 },
    async () => {
      const result = await runScenario(env, {
        name: 'thirty',
        async create({ client, node, namespace }) {
          await client.apps.createNamespacedDeployment({
            namespace,
            body: realDeployment(node, 'checkout', replicas, faultyContainers.crashLoop(node)),
          });
        },
        labelSelector: 'app=checkout',
        // Every replica restarted at least twice, and past the watcher's grace for the Deployment's own fault.
        watchedEnough: (pods, elapsedMs) =>
          pods.length >= replicas &&
          pods.every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2) &&
          elapsedMs > 60_000 &&
          maxRestarts(pods) >= 2,
        watchTimeoutMs: 5 * 60_000,
        async fix({ client, node, namespace }) {
          await fixDeployment(client, namespace, 'checkout', node);
        },
      });
      console.info(result.timeline);
      const detail = `\n${result.timeline}`;
      expect(result.incidents.length, `one incident${detail}`).toBe(1);
      expect(result.triageRequests, `one triage request${detail}`).toBe(1);
      const members = result.incidents[0]?.memberResources ?? [];
      expect(
        members.filter((m) => m.startsWith('Pod/')).length,
        `the replicas' faults are members${detail}`,
      ).toBeGreaterThanOrEqual(replicas);
      expect(
        members.some((m) => m.startsWith('Deployment/')),
        `the Deployment's own fault is a member${detail}`,
      ).toBe(true);
      expect(result.resolvedBeforeFix, `never resolved while still failing${detail}`).toBe(0);
      expect(
        result.resolveAfterFixS,
        `resolved within the quiet period after the fix${detail}`,
      ).toBeDefined();
    },
  );

  it(
    'a Pending PVC and the pod waiting on it are one incident',
    { timeout: 5 * 60_000 + quietPeriodMs },
    async () => {
      let hostPath = '';
      try {
        const result = await runScenario(env, {
          name: 'pvc',
          async create({ client, node, namespace }) {
            await client.core.createNamespacedPersistentVolumeClaim({
              namespace,
              body: {
                metadata: { name: 'data' },
                spec: {
                  storageClassName: `wk-none-${namespace}`,
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: '1Mi' } },
                },
              },
            });
            await client.core.createNamespacedPod({
              namespace,
              body: {
                metadata: { name: 'db', labels: { app: 'db' } },
                spec: onRealNode(node, {
                  containers: [
                    {
                      name: 'app',
                      image: node.images.healthy,
                      volumeMounts: [{ name: 'data', mountPath: '/data' }],
                    },
                  ],
                  volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
                }),
              },
            });
          },
          // Past the watcher's grace (20 s) for a Pending PVC, with margin.
          watchedEnough: (_pods, elapsedMs) => elapsedMs > 50_000,
          watchTimeoutMs: 2 * 60_000,
          // The fix: a volume the claim can bind to (a folder on the node, removed after the test).
          async fix({ client, namespace }) {
            hostPath = `/tmp/wk-pv-${namespace}`;
            await client.core.createPersistentVolume({
              body: {
                metadata: { name: `wk-pv-${namespace}` },
                spec: {
                  storageClassName: `wk-none-${namespace}`,
                  accessModes: ['ReadWriteOnce'],
                  capacity: { storage: '1Mi' },
                  persistentVolumeReclaimPolicy: 'Delete',
                  hostPath: { path: hostPath, type: 'DirectoryOrCreate' },
                  claimRef: { namespace, name: 'data' },
                },
              },
            });
          },
        });
        console.info(result.timeline);
        const detail = `\n${result.timeline}`;
        expect(result.incidents.length, `one incident${detail}`).toBe(1);
        expect(result.triageRequests, `one triage request${detail}`).toBe(1);
        const members = result.incidents[0]?.memberResources ?? [];
        expect(
          members.some((m) => m.startsWith('PersistentVolumeClaim/')),
          `the PVC's fault is a member${detail}`,
        ).toBe(true);
        expect(
          result.resolveAfterFixS,
          `resolved within the quiet period after the fix${detail}`,
        ).toBeDefined();
      } finally {
        const client = kubeClient(env.kubeconfigPath);
        const pvs = await client.core.listPersistentVolume();
        for (const pv of pvs.items.filter((p) => p.metadata?.name?.startsWith('wk-pv-dyn-pvc-'))) {
          await client.core.deletePersistentVolume({ name: pv.metadata?.name ?? '' }).catch(() => undefined);
        }
        if (hostPath) await rm(hostPath, { recursive: true, force: true });
      }
    },
  );
});
