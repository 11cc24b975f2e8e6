/**
 * Runs a triage as a Kubernetes Job and follows it to its end: the Job's conditions and its pod's container
 * state decide the outcome (an image that cannot be pulled ends it at once, named); its deadline ends it as a
 * timeout; aborting deletes it (foreground propagation: the pod goes first). The ConfigMap and Secret are owned
 * by the Job, so they go with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import { jobObjects, type JobSpecInput } from './job-spec.ts';

export interface JobRef {
  readonly namespace: string;
  readonly name: string;
}

/** How a run's Job ended, with what its pod said about why. */
export type JobEnd =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly exitCode?: number; readonly message?: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'image_unavailable'; readonly reason: string; readonly message: string }
  | { readonly kind: 'gone' };

const notFound = (error: unknown) => error instanceof ApiException && error.code === 404;
/** Waiting reasons that will not get better by waiting: the image is missing or cannot be pulled. */
const imageFailures = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

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
    blockOwnerDeletion: true,
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

/** Deletes the Job, its pod first (foreground), and with them its ConfigMap and Secret; gone already is fine. */
export async function deleteRunJob(kubeconfig: KubeConfig, ref: JobRef): Promise<void> {
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  await batch
    .deleteNamespacedJob({ name: ref.name, namespace: ref.namespace, propagationPolicy: 'Foreground' })
    .catch((error: unknown) => {
      if (!notFound(error)) throw error;
    });
}

export async function readRunJob(kubeconfig: KubeConfig, ref: JobRef): Promise<V1Job | undefined> {
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  return batch.readNamespacedJob({ name: ref.name, namespace: ref.namespace }).catch((error: unknown) => {
    if (notFound(error)) return undefined;
    throw error;
  });
}

function jobConditionEnd(job: V1Job): 'succeeded' | 'timeout' | 'failed' | undefined {
  const conditions = job.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'succeeded';
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return undefined;
  return failed.reason === 'DeadlineExceeded' ? 'timeout' : 'failed';
}

function agentContainer(pod: V1Pod | undefined) {
  return pod?.status?.containerStatuses?.find((c) => c.name === 'agent');
}

/** The pod's word on a failure: the image it cannot pull, or the runner's exit code and termination message. */
function podEnd(pod: V1Pod | undefined): JobEnd | undefined {
  const container = agentContainer(pod);
  const waiting = container?.state?.waiting;
  if (waiting?.reason && imageFailures.has(waiting.reason))
    return { kind: 'image_unavailable', reason: waiting.reason, message: waiting.message ?? '' };
  const terminated = container?.state?.terminated;
  if (terminated && terminated.exitCode !== 0)
    return {
      kind: 'failed',
      exitCode: terminated.exitCode,
      ...(terminated.message && { message: terminated.message }),
    };
  return undefined;
}

export interface FollowJobOptions {
  readonly everyMs?: number;
  /** Called with the Job's pod each time it is read (to follow its log once it runs). */
  readonly onPod?: (pod: V1Pod) => void;
}

/** Follows the Job until it ends (`gone` when it no longer exists: deleted, or never made). */
export async function followRunJob(
  kubeconfig: KubeConfig,
  ref: JobRef,
  signal: AbortSignal,
  options: FollowJobOptions = {},
): Promise<JobEnd> {
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  for (;;) {
    if (signal.aborted) {
      await deleteRunJob(kubeconfig, ref);
      return { kind: 'cancelled' };
    }
    let job: V1Job;
    try {
      job = await batch.readNamespacedJobStatus({ name: ref.name, namespace: ref.namespace });
    } catch (error) {
      if (notFound(error)) return { kind: 'gone' };
      throw error;
    }
    const pods = await core.listNamespacedPod({
      namespace: ref.namespace,
      labelSelector: `job-name=${ref.name}`,
    });
    const pod = pods.items[0];
    if (pod) options.onPod?.(pod);
    const byJob = jobConditionEnd(job);
    const byPod = podEnd(pod);
    if (byPod?.kind === 'image_unavailable') {
      await deleteRunJob(kubeconfig, ref);
      return byPod;
    }
    if (byJob === 'succeeded') return { kind: 'succeeded' };
    if (byJob === 'timeout') return { kind: 'timeout' };
    if (byJob === 'failed') return byPod ?? { kind: 'failed' };
    await sleep(options.everyMs ?? 500, undefined, { signal }).catch(() => undefined);
  }
}
