/** What a detection rule reports: a fault of a class on a resource, before the watcher stamps source and time. */
import { createHash } from 'node:crypto';
import type { FaultClass, FaultContext } from '../../core/domain/fault.ts';
import type { ResourceRef } from '../../core/domain/resource.ts';

export interface DetectedFault {
  readonly class: FaultClass;
  readonly resource: ResourceRef;
  readonly container?: string;
  readonly context: FaultContext;
}

/** Stable across restarts and re-emissions: the same condition on the same object is the same fault. */
export function faultIdOf(
  cluster: string,
  fault: Pick<DetectedFault, 'class' | 'resource' | 'container'>,
): string {
  const identity = [
    cluster,
    fault.class,
    fault.resource.uid ?? `${fault.resource.kind}/${fault.resource.namespace ?? ''}/${fault.resource.name}`,
    fault.container ?? '',
  ];
  return `${fault.class}-${createHash('sha256').update(identity.join('\u0000')).digest('hex').slice(0, 24)}`;
}
