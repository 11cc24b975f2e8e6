/**
 * Faults read off a Pod's status: container restarts and crashes, image pulls, container configuration,
 * scheduling and eviction. One rule per class; the most specific class wins for a container.
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

function containerFault(status: V1ContainerStatus): Omit<DetectedFault, 'resource'> | undefined {
  const waiting = status.state?.waiting;
  const last = status.lastState?.terminated;
  const current = status.state?.terminated;
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
  if (last?.reason === 'OOMKilled' || current?.reason === 'OOMKilled') {
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
  if (status.restartCount > 0 && last && last.exitCode !== 0) {
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
  for (const status of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]) {
    const fault = containerFault(status);
    if (fault) faults.push({ ...fault, resource, context: { ...shared, ...fault.context } });
  }
  return faults;
}
