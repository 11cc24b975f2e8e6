/**
 * Runs a triage as a Kubernetes Job and follows it to its end: the Job's conditions (driven by its pod) decide
 * the outcome; its deadline ends it as a timeout; aborting deletes it. The ConfigMap and Secret are owned by the
 * Job, so they go when the Job's TTL removes it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import type { SandboxOutcome } from '../local/sandboxed-process.ts';
import { jobObjects, type JobSpecInput } from './job-spec.ts';

export interface JobRef {
  readonly namespace: string;
  readonly name: string;
}

const notFound = (error: unknown) => error instanceof ApiException && error.code === 404;

export async function createRunJob(kubeconfig: KubeConfig, input: JobSpecInput): Promise<JobRef> {
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const { job, configMap, secret } = jobObjects(input);
  const created = await batch.createNamespacedJob({ namespace: input.namespace, body: job });
  const owner = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: input.name,
    uid: created.metadata?.uid ?? '',
    controller: false,
    blockOwnerDeletion: false,
  };
  try {
    await core.createNamespacedConfigMap({
      namespace: input.namespace,
      body: { ...configMap, metadata: Object.assign({}, configMap.metadata, { ownerReferences: [owner] }) },
    });
    await core.createNamespacedSecret({
      namespace: input.namespace,
      body: { ...secret, metadata: Object.assign({}, secret.metadata, { ownerReferences: [owner] }) },
    });
  } catch (error) {
    await deleteRunJob(kubeconfig, { namespace: input.namespace, name: input.name });
    throw error;
  }
  return { namespace: input.namespace, name: input.name };
}

export async function deleteRunJob(kubeconfig: KubeConfig, ref: JobRef): Promise<void> {
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  await batch
    .deleteNamespacedJob({ name: ref.name, namespace: ref.namespace, propagationPolicy: 'Foreground' })
    .catch((error: unknown) => {
      if (!notFound(error)) throw error;
    });
}

function outcomeOf(job: V1Job): SandboxOutcome | undefined {
  const conditions = job.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
    return { kind: 'exited', code: 0, signal: null };
  }
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return undefined;
  if (failed.reason === 'DeadlineExceeded') return { kind: 'timeout' };
  return { kind: 'exited', code: 1, signal: null };
}

/** Follows the Job until it ends; `undefined` when the Job no longer exists (deleted, or never made). */
export async function followRunJob(
  kubeconfig: KubeConfig,
  ref: JobRef,
  signal: AbortSignal,
  everyMs = 500,
): Promise<SandboxOutcome | undefined> {
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  for (;;) {
    if (signal.aborted) {
      await deleteRunJob(kubeconfig, ref);
      return { kind: 'cancelled' };
    }
    let job: V1Job;
    try {
      job = await batch.readNamespacedJobStatus({ name: ref.name, namespace: ref.namespace });
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
    const outcome = outcomeOf(job);
    if (outcome) return outcome;
    await sleep(everyMs, undefined, { signal }).catch(() => undefined);
  }
}
