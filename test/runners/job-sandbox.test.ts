import { describe, expect, it } from 'vitest';
import { createRunJob, followRunJob } from '../../runners/job/job-sandbox.ts';
import type { JobSpecInput } from '../../runners/job/job-spec.ts';
import { useTestNamespace } from '../intake/cluster-objects.ts';

describe('the Kubernetes Job sandbox on the harness cluster (kwok runs the pods)', () => {
  const space = useTestNamespace('runs');

  const input = (name: string, overrides: Partial<JobSpecInput> = {}): JobSpecInput => ({
    name,
    namespace: space.name,
    runId: `run-${name}`,
    incidentId: 'incident-1',
    image: 'ghcr.io/watchkeeper/agent:test',
    command: ['watchkeeper-agent'],
    args: ['--prompt', '/run/watchkeeper/input/prompt.md'],
    deadlineSeconds: 600,
    ttlSeconds: 3600,
    resources: { cpu: '500m', memory: '512Mi' },
    inputs: { 'prompt.md': '# Triage' },
    secretFiles: { 'api-key': 'sk-ant-test', kubeconfig: 'apiVersion: v1\nkind: Config\n' },
    ...overrides,
  });

  it('creates a hardened Job with its ConfigMap and Secret, and follows its pod to completion', async () => {
    const ref = await createRunJob(space.client.config, input('ok'));
    const job = await space.client.batch.readNamespacedJob({ name: 'ok', namespace: space.name });
    const pod = job.spec?.template.spec;
    const container = pod?.containers[0];
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
    });
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(container?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container?.resources?.limits).toEqual({ cpu: '500m', memory: '512Mi' });
    const configMap = await space.client.core.readNamespacedConfigMap({ name: 'ok', namespace: space.name });
    const secret = await space.client.core.readNamespacedSecret({ name: 'ok', namespace: space.name });
    expect(configMap.data).toEqual({ 'prompt.md': '# Triage' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['api-key', 'kubeconfig']);
    for (const owned of [configMap, secret]) {
      expect(owned.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'Job',
        name: 'ok',
        uid: job.metadata?.uid,
      });
    }
    const outcome = await followRunJob(space.client.config, ref, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'succeeded' });
  });

  it('ends a run whose pod never finishes at its deadline, as a timeout', async () => {
    const ref = await createRunJob(
      space.client.config,
      input('slow', { deadlineSeconds: 2, nodeSelector: { 'watchkeeper.test/none': 'true' } }),
    );
    expect(await followRunJob(space.client.config, ref, new AbortController().signal)).toEqual({
      kind: 'timeout',
    });
  });

  it('deletes the Job when the run is cancelled', async () => {
    const ref = await createRunJob(
      space.client.config,
      input('cancelled', { nodeSelector: { 'watchkeeper.test/none': 'true' } }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    expect(await followRunJob(space.client.config, ref, controller.signal)).toEqual({ kind: 'cancelled' });
    const gone = await space.client.batch
      .readNamespacedJob({ name: 'cancelled', namespace: space.name })
      .then(
        (job) => job.metadata?.deletionTimestamp !== undefined,
        () => true,
      );
    expect(gone).toBe(true);
  });
});
