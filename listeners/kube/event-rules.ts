/**
 * Faults only Events tell about: failing probes and volumes that will not mount or attach. They have no
 * "cleared" state of their own, so the watcher resolves them once the Events stop for a while.
 */
import type { CoreV1Event } from '@kubernetes/client-node';
import { faultLimits, type RelatedEvent } from '../../core/domain/fault.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { DetectedFault } from './detected-fault.ts';

export function eventFault(event: CoreV1Event): DetectedFault | undefined {
  if (event.type !== 'Warning') return undefined;
  const object = event.involvedObject;
  if (!object.name || object.kind !== 'Pod') return undefined;
  const resource = {
    apiVersion: 'v1',
    kind: 'Pod',
    name: object.name,
    ...(object.namespace !== undefined && { namespace: object.namespace }),
    ...(object.uid !== undefined && { uid: object.uid }),
  };
  const message = redactBounded(event.message ?? '', faultLimits.message);
  if (event.reason === 'Unhealthy' && /probe failed/i.test(message)) {
    const probe = /^(\w+) probe/i.exec(message)?.[1]?.toLowerCase() ?? 'probe';
    const container =
      /container[= ]"?([\w.-]+)/i.exec(object.fieldPath ?? '')?.[1] ??
      containerFromFieldPath(object.fieldPath);
    return {
      class: 'ProbeFailure',
      resource,
      ...(container !== undefined && { container: `${container}:${probe}` }),
      context: { reason: `${probe} probe failed`, message },
    };
  }
  if (event.reason === 'FailedMount' || event.reason === 'FailedAttachVolume') {
    return { class: 'VolumeProblem', resource, context: { reason: event.reason, message } };
  }
  return undefined;
}

function containerFromFieldPath(fieldPath: string | undefined): string | undefined {
  return /spec\.containers\{([^}]+)\}/.exec(fieldPath ?? '')?.[1];
}

/** An Event as bounded context on a fault. */
export function relatedEvent(event: CoreV1Event): RelatedEvent {
  const lastSeen = event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
  return {
    type: (event.type ?? 'Normal').slice(0, 32),
    reason: (event.reason ?? '').slice(0, 128),
    message: redactBounded(event.message ?? '', faultLimits.message),
    ...(event.count !== undefined && { count: event.count }),
    ...(lastSeen !== undefined && { lastSeen: new Date(lastSeen) }),
  };
}
