/** The remediation section: who approves, how long a proposal lives, how long verification waits. */
import { z } from 'zod';

const principal = z
  .string()
  .regex(/^([UW][A-Z0-9]{2,}|S[A-Z0-9]{2,})$/, 'a Slack user id (U…/W…) or user group id (S…)');

const ClusterRuleSchema = z.strictObject({
  approvers: z.array(principal).min(1).optional(),
  /** Two different approvers must approve (production). */
  twoPersonRule: z.boolean().optional(),
});

export const RemediationSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Propose a report's actions as soon as the triage reports them (else a button on the card does). */
    autoPropose: z.boolean().default(true),
    /** Who may approve or deny; nobody by default, so nothing runs until someone is named. */
    approvers: z.array(principal).default([]),
    twoPersonRule: z.boolean().default(false),
    /** Per-cluster overrides of approvers and the two-person rule. */
    clusters: z.record(z.string().min(1), ClusterRuleSchema).default({}),
    approvalTtlMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    verifyTimeoutSeconds: z.number().int().min(10).max(3_600).default(300),
    /** Where the per-request ServiceAccounts of node actions live. */
    namespace: z.string().min(1).default('watchkeeper-system'),
  })
  .prefault({});
export type RemediationConfig = z.infer<typeof RemediationSchema>;

export function approversFor(config: RemediationConfig, cluster: string): readonly string[] {
  return config.clusters[cluster]?.approvers ?? config.approvers;
}

export function requiredApprovalsFor(config: RemediationConfig, cluster: string): number {
  return (config.clusters[cluster]?.twoPersonRule ?? config.twoPersonRule) ? 2 : 1;
}
