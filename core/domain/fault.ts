import { z } from 'zod';
import { ResourceRefSchema } from './resource.ts';
import { SeveritySchema } from './severity.ts';

/** Every fault class a source may report. `Alert` covers Alertmanager and generic webhooks. */
export const faultClasses = [
  'CrashLoopBackOff',
  'OOMKilled',
  'ContainerErrorExit',
  'ImagePullBackOff',
  'ContainerConfigError',
  'ProbeFailure',
  'Unschedulable',
  'Evicted',
  'NodeNotReady',
  'NodePressure',
  'JobFailed',
  'DeploymentRolloutFailed',
  'WorkloadUnavailable',
  'VolumeProblem',
  'Alert',
  'Manual',
  'Other',
] as const;
export const FaultClassSchema = z.enum(faultClasses);
export type FaultClass = z.infer<typeof FaultClassSchema>;

export const faultSourceKinds = ['kube-watcher', 'mcp', 'alertmanager', 'webhook', 'manual'] as const;
export const FaultSourceSchema = z.object({
  kind: z.enum(faultSourceKinds),
  /** The configured name of the source, e.g. the MCP server's name. */
  name: z.string().min(1).max(128),
});
export type FaultSourceRef = z.infer<typeof FaultSourceSchema>;

/** Bounded limits on untrusted context, enforced at the edge so nothing downstream has to re-check. */
export const faultLimits = { message: 4_000, logLines: 50, logLine: 1_000, events: 20, raw: 64_000 } as const;

export const RelatedEventSchema = z.object({
  type: z.string().max(32),
  reason: z.string().max(128),
  message: z.string().max(faultLimits.message),
  count: z.number().int().nonnegative().optional(),
  lastSeen: z.coerce.date().optional(),
});
export type RelatedEvent = z.infer<typeof RelatedEventSchema>;

export const FaultContextSchema = z.object({
  reason: z.string().max(256).optional(),
  message: z.string().max(faultLimits.message).optional(),
  exitCode: z.number().int().optional(),
  restartCount: z.number().int().nonnegative().optional(),
  node: z.string().max(253).optional(),
  /** Owner chain from the resource upwards, e.g. ReplicaSet then Deployment; used for storm folding. */
  owners: z
    .array(
      z.object({ kind: z.string().max(63), name: z.string().max(253), uid: z.string().max(64).optional() }),
    )
    .max(8)
    .optional(),
  labels: z.record(z.string().max(317), z.string().max(63)).optional(),
  logTail: z.array(z.string().max(faultLimits.logLine)).max(faultLimits.logLines).optional(),
  events: z.array(RelatedEventSchema).max(faultLimits.events).optional(),
  /** On a resolved observation: why the condition ended (`pod deleted`); `expired` when Watchkeeper expired it. */
  resolution: z.object({ reason: z.string().max(256), expired: z.boolean().optional() }).optional(),
  /** Set by intake when `owners` was inferred from object names rather than sent by the source (the rule). */
  ownersInferredBy: z.string().max(64).optional(),
});
export type FaultContext = z.infer<typeof FaultContextSchema>;

/**
 * One observation of a fault. `faultId` is stable across re-emissions of the same condition (hash of cluster,
 * class, resource uid and container), so storing a fault twice is a no-op.
 */
export const FaultSchema = z.object({
  source: FaultSourceSchema,
  cluster: z.string().min(1).max(128),
  faultId: z.string().min(1).max(128),
  class: FaultClassSchema,
  severity: SeveritySchema,
  resource: ResourceRefSchema,
  container: z.string().max(253).optional(),
  context: FaultContextSchema,
  observedAt: z.coerce.date(),
  resolved: z.boolean(),
  /** The payload as received, for audit; bounded and redacted by the source adapter. */
  raw: z.unknown().optional(),
});
export type Fault = z.infer<typeof FaultSchema>;
