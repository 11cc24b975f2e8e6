/**
 * The fault notification on the wire, as kubernetes-mcp-server-with-events sends it (`notifications/message`,
 * logger `kubernetes/faults`), plus a `watchkeeper` field carrying our whole Fault so our own listener loses
 * nothing. Clients written for the fork read the fork's fields and ignore the rest.
 */
import { z } from 'zod';
import { FaultSchema, type Fault } from '../../core/domain/fault.ts';
import type { Severity } from '../../core/domain/severity.ts';

export const faultsLogger = 'kubernetes/faults';

/** The fork's faultType for our classes where one exists; our class name otherwise. */
const forkFaultType: Partial<Record<Fault['class'], string>> = {
  CrashLoopBackOff: 'CrashLoop',
  ContainerErrorExit: 'PodCrash',
  OOMKilled: 'PodCrash',
  NodeNotReady: 'NodeUnhealthy',
  DeploymentRolloutFailed: 'DeploymentFailure',
  JobFailed: 'JobFailure',
};

const forkSeverity = (severity: Severity): string =>
  severity === 'critical' ? 'critical' : severity === 'info' ? 'info' : 'warning';

export function toWire(fault: Fault, subscriptionId: string): Record<string, unknown> {
  return {
    subscriptionId,
    cluster: fault.cluster,
    faultId: fault.faultId,
    faultType: forkFaultType[fault.class] ?? fault.class,
    severity: forkSeverity(fault.severity),
    resource: fault.resource,
    context: fault.context.message ?? fault.context.reason ?? '',
    timestamp: fault.observedAt.toISOString(),
    watchkeeper: fault,
  };
}

/** The fork's fields, as its server sends them (no container, labels, owners or node). */
export const ForkFaultSchema = z.object({
  subscriptionId: z.string().max(64).optional(),
  cluster: z.string().min(1).max(128),
  faultId: z.string().min(1).max(128),
  faultType: z.string().min(1).max(64),
  severity: z.string().max(16).optional(),
  resource: z.object({
    apiVersion: z.string().max(253).optional(),
    kind: z.string().min(1).max(63),
    name: z.string().min(1).max(253),
    namespace: z.string().max(253).optional(),
    uid: z.string().max(64).optional(),
  }),
  context: z.string().max(64_000).optional(),
  timestamp: z.coerce.date(),
  watchkeeper: z.unknown().optional(),
});
export type ForkFault = z.infer<typeof ForkFaultSchema>;

export { FaultSchema };
