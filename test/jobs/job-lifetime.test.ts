/**
 * A run's Job cannot outlive its budget: past activeDeadlineSeconds the Job controller fails it and the kubelet
 * kills its pod; after ttlSecondsAfterFinished the TTL controller deletes it, and its ConfigMap and Secret (the
 * run's kubeconfig) go with it. On the real node, in the agent image, with Watchkeeper's own Job spec.
 */
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunJob } from '../../runners/job/job-sandbox.ts';
import { until } from '../fixtures/until.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { onRealNodeJob } from './real-node-job.ts';

describe('the lifetime of a triage Job on the real node', () => {
  const node = harness('node');
  let admin: KubeClient;
  let namespace: string;
  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(admin, 'jobs-lifetime');
  });
  afterAll(() => deleteNamespace(admin, namespace));

  const spec = (name: string, script: string, deadlineSeconds: number, ttlSeconds: number) =>
    onRealNodeJob(node, {
      name,
      namespace,
      runId: name,
      incidentId: 'inc-lifetime',
      command: ['/bin/sh', '-c', script],
      deadlineSeconds,
      ttlSeconds,
      resources: { cpu: '250m', memory: '128Mi' },
      inputs: { 'pod-run-spec.json': '{}' },
      secretFiles: { kubeconfig: 'not a real kubeconfig' },
    });

  it(
    'ends a run past its deadline: Job failed with DeadlineExceeded, its container killed',
    { timeout: 120_000 },
    async () => {
      const batch = admin.config.makeApiClient(BatchV1Api);
      const core = admin.config.makeApiClient(CoreV1Api);
      // Like the in-pod runner, the script stops on SIGTERM (a PID 1 without a handler would ignore it and wait out
      // the grace period).
      const script = "trap 'echo stopped; exit 143' TERM; echo started; sleep 600 & wait";
      await createRunJob(admin.config, spec('wk-run-overtime', script, 6, 600));
      const started = Date.now();
      const reasons = async () =>
        (
          (await batch.readNamespacedJobStatus({ name: 'wk-run-overtime', namespace })).status?.conditions ??
          []
        )
          .filter((c) => c.status === 'True')
          .map((c) => `${c.type}:${c.reason ?? ''}`);
      await until(
        'the Job failed',
        async () => (await reasons()).includes('Failed:DeadlineExceeded'),
        60_000,
        250,
      );
      // 6 s of deadline, the pod's start and its stop on SIGTERM.
      expect(Date.now() - started).toBeLessThan(25_000);
      // The pod is stopped for real: nothing of the agent keeps running on the node.
      await until(
        'its pod is gone or terminated',
        async () => {
          const pods = await core.listNamespacedPod({ namespace, labelSelector: 'job-name=wk-run-overtime' });
          return pods.items.every(
            (p) => p.status?.containerStatuses?.every((c) => c.state?.terminated !== undefined) ?? true,
          );
        },
        30_000,
        250,
      );
    },
  );

  it(
    'is deleted with its ConfigMap and Secret once its TTL after finishing passes',
    { timeout: 90_000 },
    async () => {
      const batch = admin.config.makeApiClient(BatchV1Api);
      const core = admin.config.makeApiClient(CoreV1Api);
      await createRunJob(admin.config, spec('wk-run-short', 'echo done', 60, 2));
      const gone = async (read: () => Promise<unknown>) =>
        read().then(
          () => false,
          (error: unknown) => (error as { code?: number }).code === 404,
        );
      await until(
        'the Job and what it owns are gone',
        async () =>
          (await gone(() => batch.readNamespacedJob({ name: 'wk-run-short', namespace }))) &&
          (await gone(() => core.readNamespacedSecret({ name: 'wk-run-short', namespace }))) &&
          (await gone(() => core.readNamespacedConfigMap({ name: 'wk-run-short', namespace }))),
        60_000,
        500,
      );
    },
  );
});
