/**
 * Faults read off a Pod's status: container restarts and crashes, image pulls, container configuration,
 * scheduling and eviction. One rule per class; the most specific class wins for a container. What the kubelet
 * shows is a moment of a cycle: the tracker holds a container's fault through the moments it is not visible,
 * using the container health read here (see problems.ts).
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { faultLimits } from '../../core/domain/fault.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { ResourceRef } from '../../core/domain/resource.ts';
import type { DetectedFault } from './detected-fault.ts';

const imagePullReasons = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
]);
const configReasons = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function podRef(pod: V1Pod): ResourceRef {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.metadata?.name ?? '',
    ...(pod.metadata?.namespace !== undefined && { namespace: pod.metadata.namespace }),
    ...(pod.metadata?.uid !== undefined && { uid: pod.metadata.uid }),
  };
}

function owners(pod: V1Pod) {
  return (pod.metadata?.ownerReferences ?? [])
    .filter((o) => o.controller !== false)
    .map((o) => ({ kind: o.kind, name: o.name, uid: o.uid }));
}

const text = (value: string | undefined) =>
  value === undefined ? undefined : redactBounded(value, faultLimits.message);

/** A container's state now, for ending a fault held through the moments its condition is not visible. */
export interface ContainerHealth {
  readonly restartCount: number;
  /** It has started at least once: its image is there and its configuration resolved. */
  readonly started: boolean;
  /** Running and ready, or finished with exit code 0. */
  readonly healthy: boolean;
}

function healthOf(status: V1ContainerStatus): ContainerHealth {
  const { state, lastState } = status;
  return {
    restartCount: status.restartCount,
    started:
      state?.running !== undefined ||
      state?.terminated !== undefined ||
      lastState?.terminated !== undefined ||
      status.restartCount > 0,
    healthy: (state?.running !== undefined && status.ready) || state?.terminated?.exitCode === 0,
  };
}

/**
 * Every container's health by name (init containers included); `undefined` once the pod is done (Succeeded or
 * Failed): none of its containers runs again, so no fault is held on the pod past what its status shows.
 */
export function containerHealth(pod: V1Pod): Map<string, ContainerHealth> | undefined {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  return new Map(
    [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map((s) => [
      s.name,
      healthOf(s),
    ]),
  );
}

function containerFault(
  status: V1ContainerStatus,
  restarts: boolean,
): Omit<DetectedFault, 'resource'> | undefined {
  const waiting = status.state?.waiting;
  const last = status.lastState?.terminated;
  const current = status.state?.terminated;
  // Running ready, or finished with 0: its last exit is history, and the tracker decides when the fault is over.
  const settled = (status.state?.running !== undefined && status.ready) || current?.exitCode === 0;
  const base = {
    container: status.name,
    context: {
      ...(status.restartCount > 0 && { restartCount: status.restartCount }),
    },
  };
  const detail = (reason: string | undefined, message: string | undefined, exitCode?: number) => ({
    ...base.context,
    ...(reason !== undefined && { reason }),
    ...(message !== undefined && { message: text(message) }),
    ...(exitCode !== undefined && { exitCode }),
  });
  if ((last?.reason === 'OOMKilled' && !settled) || current?.reason === 'OOMKilled') {
    const t = current?.reason === 'OOMKilled' ? current : last;
    return { ...base, class: 'OOMKilled', context: detail('OOMKilled', t?.message, t?.exitCode) };
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    return {
      ...base,
      class: 'CrashLoopBackOff',
      context: detail('CrashLoopBackOff', last?.message ?? waiting.message, last?.exitCode),
    };
  }
  if (waiting?.reason && imagePullReasons.has(waiting.reason)) {
    return { ...base, class: 'ImagePullBackOff', context: detail(waiting.reason, waiting.message) };
  }
  if (waiting?.reason && configReasons.has(waiting.reason)) {
    return { ...base, class: 'ContainerConfigError', context: detail(waiting.reason, waiting.message) };
  }
  // The first failed exit, before the kubelet restarts it (a pod that never restarts is a failed pod, not this).
  if (current && current.exitCode !== 0 && restarts) {
    return {
      ...base,
      class: 'ContainerErrorExit',
      context: detail(current.reason ?? 'Error', current.message, current.exitCode),
    };
  }
  if (status.restartCount > 0 && last && last.exitCode !== 0 && !settled) {
    return {
      ...base,
      class: 'ContainerErrorExit',
      context: detail(last.reason ?? 'Error', last.message, last.exitCode),
    };
  }
  return undefined;
}

export function podFaults(pod: V1Pod): DetectedFault[] {
  const resource = podRef(pod);
  const shared = {
    ...(pod.spec?.nodeName !== undefined && { node: pod.spec.nodeName }),
    ...(owners(pod).length > 0 && { owners: owners(pod) }),
    ...(pod.metadata?.labels && { labels: pod.metadata.labels }),
  };
  const faults: DetectedFault[] = [];
  if (pod.status?.reason === 'Evicted') {
    faults.push({
      class: 'Evicted',
      resource,
      context: {
        ...shared,
        reason: 'Evicted',
        ...(pod.status.message && { message: text(pod.status.message) }),
      },
    });
    return faults;
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    faults.push({
      class: 'Unschedulable',
      resource,
      context: {
        ...shared,
        reason: 'Unschedulable',
        ...(scheduled.message && { message: text(scheduled.message) }),
      },
    });
  }
  const restarts = pod.spec?.restartPolicy !== 'Never';
  for (const status of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]) {
    const fault = containerFault(status, restarts);
    if (fault) faults.push({ ...fault, resource, context: { ...shared, ...fault.context } });
  }
  return faults;
}
