/**
 * Workload faults: failed Jobs, Deployments past their progress deadline or short of available replicas,
 * StatefulSets and DaemonSets short of ready pods, PVCs stuck Pending. Conditions that only matter when they
 * last carry `since`, and the watcher reports them once they outlast the grace period.
 */
import type {
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1PersistentVolumeClaim,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { faultLimits } from '../../core/domain/fault.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { ResourceRef } from '../../core/domain/resource.ts';
import type { DetectedFault } from './detected-fault.ts';

export interface GracedFault extends DetectedFault {
  /** When the condition began; reported only after the watcher's grace period. Absent = report at once. */
  readonly since?: Date;
}

interface Meta {
  readonly metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
}

function ref(apiVersion: string, kind: string, object: Meta): ResourceRef {
  return {
    apiVersion,
    kind,
    name: object.metadata?.name ?? '',
    ...(object.metadata?.namespace !== undefined && { namespace: object.metadata.namespace }),
    ...(object.metadata?.uid !== undefined && { uid: object.metadata.uid }),
  };
}

const labels = (object: Meta) => (object.metadata?.labels ? { labels: object.metadata.labels } : {});
const message = (value: string | undefined) =>
  value === undefined ? {} : { message: redactBounded(value, faultLimits.message) };

export function jobFaults(job: V1Job & Meta): GracedFault[] {
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return [];
  const owner = (job as V1Job).metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
  return [
    {
      class: 'JobFailed',
      resource: ref('batch/v1', 'Job', job),
      context: {
        reason: failed.reason ?? 'Failed',
        ...message(failed.message),
        ...labels(job),
        ...(owner && { owners: [{ kind: owner.kind, name: owner.name, uid: owner.uid }] }),
      },
    },
  ];
}

export function deploymentFaults(deployment: V1Deployment & Meta): GracedFault[] {
  const resource = ref('apps/v1', 'Deployment', deployment);
  const conditions = deployment.status?.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return [
      {
        class: 'DeploymentRolloutFailed',
        resource,
        context: {
          reason: 'ProgressDeadlineExceeded',
          ...message(progressing.message),
          ...labels(deployment),
        },
      },
    ];
  }
  // status.unavailableReplicas counts surge pods of a rollout too ("2 of 1 unavailable"): count against spec.
  const wanted = deployment.spec?.replicas ?? 1;
  const unavailable = Math.max(0, wanted - (deployment.status?.availableReplicas ?? 0));
  const available = conditions.find((c) => c.type === 'Available');
  if (unavailable > 0 && available?.status === 'False') {
    return [
      {
        class: 'WorkloadUnavailable',
        resource,
        context: {
          reason: available.reason ?? 'MinimumReplicasUnavailable',
          message: `${unavailable} of ${wanted} replicas unavailable`,
          ...labels(deployment),
        },
        ...(available.lastTransitionTime && { since: new Date(available.lastTransitionTime) }),
      },
    ];
  }
  return [];
}

export function setFaults(
  kind: 'StatefulSet' | 'DaemonSet',
  set: (V1StatefulSet | V1DaemonSet) & Meta,
): GracedFault[] {
  const wanted =
    kind === 'StatefulSet'
      ? ((set as V1StatefulSet).spec?.replicas ?? 1)
      : ((set as V1DaemonSet).status?.desiredNumberScheduled ?? 0);
  const ready =
    kind === 'StatefulSet'
      ? ((set as V1StatefulSet).status?.readyReplicas ?? 0)
      : ((set as V1DaemonSet).status?.numberReady ?? 0);
  if (ready >= wanted) return [];
  return [
    {
      class: 'WorkloadUnavailable',
      resource: ref('apps/v1', kind, set),
      context: { reason: 'NotAllReplicasReady', message: `${ready} of ${wanted} ready`, ...labels(set) },
      since: new Date(0), // no timestamp for this on the object: the watcher counts from when it first saw it
    },
  ];
}

export function pvcFaults(pvc: V1PersistentVolumeClaim & Meta): GracedFault[] {
  if (pvc.status?.phase !== 'Pending') return [];
  const created = (pvc as V1PersistentVolumeClaim).metadata?.creationTimestamp;
  return [
    {
      class: 'VolumeProblem',
      resource: ref('v1', 'PersistentVolumeClaim', pvc),
      context: { reason: 'Pending', message: 'the claim is not bound to a volume', ...labels(pvc) },
      ...(created && { since: new Date(created) }),
    },
  ];
}
