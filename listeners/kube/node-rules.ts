/** Node faults: NotReady (Ready False or Unknown) and pressure conditions. */
import type { V1Node } from '@kubernetes/client-node';
import { faultLimits } from '../../core/domain/fault.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { DetectedFault } from './detected-fault.ts';

const pressures = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export function nodeFaults(node: V1Node): DetectedFault[] {
  const resource = {
    apiVersion: 'v1',
    kind: 'Node',
    name: node.metadata?.name ?? '',
    ...(node.metadata?.uid !== undefined && { uid: node.metadata.uid }),
  };
  const conditions = node.status?.conditions ?? [];
  const faults: DetectedFault[] = [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') {
    faults.push({
      class: 'NodeNotReady',
      resource,
      context: {
        reason: ready.reason ?? `Ready=${ready.status}`,
        ...(ready.message && { message: redactBounded(ready.message, faultLimits.message) }),
      },
    });
  }
  for (const type of pressures) {
    const condition = conditions.find((c) => c.type === type);
    if (condition?.status === 'True') {
      // One fault per pressure kind: the container slot carries the condition so the faultIds differ.
      faults.push({
        class: 'NodePressure',
        resource,
        container: type,
        context: {
          reason: type,
          ...(condition.message && { message: redactBounded(condition.message, faultLimits.message) }),
        },
      });
    }
  }
  return faults;
}
