/**
 * Who may approve a proposed remediation, and when it runs: only configured approvers; a request expires;
 * with the two-person rule a second, different approver is needed. Pure: the caller stores the result.
 */
import type { Approval, RemediationRequest } from '../remediation.ts';

export type ApprovalOutcome =
  | { readonly kind: 'refused'; readonly message: string }
  /** Recorded, and more approvals are needed. */
  | { readonly kind: 'recorded'; readonly request: RemediationRequest; readonly message: string }
  | { readonly kind: 'approved'; readonly request: RemediationRequest; readonly message: string }
  | { readonly kind: 'denied'; readonly request: RemediationRequest; readonly message: string };

export function decideApproval(
  request: RemediationRequest,
  vote: { readonly userId: string; readonly decision: Approval['decision']; readonly mayApprove: boolean },
  now: Date,
): ApprovalOutcome {
  if (!vote.mayApprove)
    return { kind: 'refused', message: 'you are not an approver for this cluster (remediation.approvers)' };
  if (request.status !== 'proposed')
    return { kind: 'refused', message: `this request is already ${request.status}` };
  if (now.getTime() >= request.expiresAt.getTime())
    return {
      kind: 'refused',
      message: 'this request expired; propose the remediation again to get a fresh dry run',
    };
  const approval: Approval = {
    actor: { type: 'slack-user', userId: vote.userId },
    at: now,
    decision: vote.decision,
  };
  if (vote.decision === 'deny')
    return {
      kind: 'denied',
      request: { ...request, status: 'denied', approvals: [...request.approvals, approval] },
      message: 'denied',
    };
  const approvers = new Set(
    request.approvals.flatMap((a) =>
      a.decision === 'approve' && a.actor.type === 'slack-user' ? [a.actor.userId] : [],
    ),
  );
  if (approvers.has(vote.userId))
    return {
      kind: 'refused',
      message: 'you approved this already; the two-person rule needs another approver',
    };
  const approvals = [...request.approvals, approval];
  if (approvers.size + 1 < request.requiredApprovals)
    return {
      kind: 'recorded',
      request: { ...request, approvals },
      message: `approval ${approvers.size + 1} of ${request.requiredApprovals} recorded; another approver must approve too`,
    };
  return { kind: 'approved', request: { ...request, status: 'approved', approvals }, message: 'approved' };
}
