/**
 * Runs one Job from Watchkeeper's own Job spec (runners/job/job-spec.ts, via createRunJob) on the harness's real
 * node, in the agent image, and hands back what its pod printed: the kernel, not the spec, answers the tests.
 * hostNetwork keeps every connection on 127.0.0.1 (the harness services listen there).
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { createRunJob } from '../../runners/job/job-sandbox.ts';
import type { JobSpecInput } from '../../runners/job/job-spec.ts';
import type { RealNode } from '../harness/real-node-helpers.ts';
import { until } from '../fixtures/until.ts';

export function agentImageOf(node: RealNode): string {
  if (!node.agentImage) {
    throw new Error(
      'the agent image was not built: bash test/harness/build-binaries.sh says why (it needs root, buildah and debootstrap)',
    );
  }
  return node.agentImage;
}

/** Placement on the real node plus the harness network; the rest is the production spec. */
export function onRealNodeJob(
  node: RealNode,
  input: Omit<JobSpecInput, 'image' | 'nodeSelector' | 'tolerations' | 'hostNetwork'>,
): JobSpecInput {
  return {
    ...input,
    image: agentImageOf(node),
    nodeSelector: { [node.label.key]: node.label.value },
    tolerations: [
      { key: node.taint.key, operator: 'Equal', value: node.taint.value, effect: node.taint.effect },
    ],
    hostNetwork: true,
  };
}

export interface FinishedJob {
  readonly pod: V1Pod;
  readonly log: string;
  readonly succeeded: boolean;
}

/** Creates the Job and waits for its pod to finish; its log comes through the apiserver (kubelet on loopback). */
export async function runJobToEnd(
  config: KubeConfig,
  input: JobSpecInput,
  timeoutMs = 90_000,
): Promise<FinishedJob> {
  const core = config.makeApiClient(CoreV1Api);
  const batch = config.makeApiClient(BatchV1Api);
  await createRunJob(config, input);
  const selector = `job-name=${input.name}`;
  let pod: V1Pod | undefined;
  await until(
    `the pod of Job ${input.name} finished`,
    async () => {
      pod = (await core.listNamespacedPod({ namespace: input.namespace, labelSelector: selector })).items[0];
      const waiting = pod?.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting && /Err|BackOff|Invalid/.test(waiting.reason ?? '')) {
        throw new Error(`the pod cannot start: ${waiting.reason ?? ''} ${waiting.message ?? ''}`);
      }
      return pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
    },
    timeoutMs,
    250,
  );
  const finished = pod!;
  const log = await core.readNamespacedPodLog({
    name: finished.metadata?.name ?? '',
    namespace: input.namespace,
  });
  const job = await batch.readNamespacedJobStatus({ name: input.name, namespace: input.namespace });
  return {
    pod: finished,
    log,
    succeeded: (job.status?.succeeded ?? 0) > 0 || finished.status?.phase === 'Succeeded',
  };
}
