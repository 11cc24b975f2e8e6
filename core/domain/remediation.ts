import { z } from 'zod';
import type { Actor } from './actor.ts';
import type { IncidentId, RemediationRequestId } from './ids.ts';

const name = z.string().min(1).max(253);
const workload = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  namespace: name,
  name,
});
const common = { rationale: z.string().min(1).max(2_000), risk: z.string().min(1).max(1_000) };

/** The closed set of actions Watchkeeper may execute. Free-form commands are never part of it. */
export const RemediationActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rollout_restart'), target: workload, ...common }).strict(),
  z
    .object({
      type: z.literal('scale'),
      target: workload.extend({ kind: z.enum(['Deployment', 'StatefulSet']) }),
      replicas: z.number().int().min(0).max(1_000),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('set_image'),
      target: workload,
      container: name,
      image: z.string().min(1).max(512),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('patch'),
      target: workload,
      patchType: z.enum(['strategic-merge', 'json']),
      /** Only resources, limits, env and probes may change; enforced when the action is checked. */
      patch: z.unknown(),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('delete_pod'),
      target: z.object({ kind: z.literal('Pod'), namespace: name, name }),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('cordon_node'),
      target: z.object({ kind: z.literal('Node'), name }),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('uncordon_node'),
      target: z.object({ kind: z.literal('Node'), name }),
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('rollback_deployment'),
      target: z.object({ kind: z.literal('Deployment'), namespace: name, name }),
      revision: z.number().int().positive(),
      ...common,
    })
    .strict(),
]);
export type RemediationAction = z.infer<typeof RemediationActionSchema>;
export type RemediationActionType = RemediationAction['type'];

export interface Approval {
  readonly actor: Actor;
  readonly at: Date;
  readonly decision: 'approve' | 'deny';
}

export type RemediationStatus =
  'proposed' | 'approved' | 'denied' | 'expired' | 'executing' | 'succeeded' | 'failed';

export interface RemediationRequest {
  readonly id: RemediationRequestId;
  readonly incidentId: IncidentId;
  readonly cluster: string;
  readonly actions: readonly RemediationAction[];
  /** The server-side dry run of each action, as the field changes people reviewed before approving. */
  readonly dryRun: readonly string[];
  readonly proposedBy: Actor;
  readonly status: RemediationStatus;
  readonly approvals: readonly Approval[];
  readonly requiredApprovals: number;
  readonly proposedAt: Date;
  readonly expiresAt: Date;
  readonly execution?: { readonly startedAt: Date; readonly finishedAt?: Date; readonly error?: string };
  readonly verification?: { readonly ok: boolean; readonly detail: string; readonly at: Date };
  /** Optimistic-concurrency counter: two approvers clicking at once cannot both be the second. */
  readonly version: number;
}
