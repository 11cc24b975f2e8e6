/** What a detection rule reports: a fault of a class on a resource, before the watcher stamps source and time. */
import { createHash } from 'node:crypto';
import type { FaultClass, FaultContext } from '../../core/domain/fault.ts';
import type { ResourceRef } from '../../core/domain/resource.ts';
import { problemKey } from './problems.ts';

export interface DetectedFault {
  readonly class: FaultClass;
  readonly resource: ResourceRef;
  readonly container?: string;
  readonly context: FaultContext;
}

/**
 * Stable across restarts, re-emissions and refinements: the same problem on the same object (and container) is
 * the same fault, whichever class of its family the kubelet shows at the moment (see problems.ts).
 */
export function faultIdOf(
  cluster: string,
  fault: Pick<DetectedFault, 'class' | 'resource' | 'container'>,
): string {
  const problem = problemKey(fault.class);
  const identity = [
    cluster,
    problem,
    fault.resource.uid ?? `${fault.resource.kind}/${fault.resource.namespace ?? ''}/${fault.resource.name}`,
    fault.container ?? '',
  ];
  return `${problem}-${createHash('sha256').update(identity.join('\u0000')).digest('hex').slice(0, 24)}`;
}
