/** The cluster side of remediation (runners/remediation): proposals from reports, dry runs, scoped execution. */
import type { IncidentId } from '../domain/ids.ts';
import type { RemediationAction, RemediationRequest } from '../domain/remediation.ts';

export interface ProposedActions {
  readonly actions: readonly RemediationAction[];
  /** Actions in the report that were malformed or outside the closed set, with why; never executed. */
  readonly rejected: readonly { readonly index: number; readonly problem: string }[];
}

export interface ExecutionOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly verification?: { readonly ok: boolean; readonly detail: string };
}

export interface RemediationExecutor {
  /** The actions the incident's latest report proposes. */
  proposedActions(incidentId: IncidentId): Promise<ProposedActions>;
  /** What the action would change (server-side dry run); rejects with the apiserver's reason when it would fail. */
  dryRun(action: RemediationAction): Promise<string>;
  /** Runs the approved actions with a credential for them only, then verifies recovery. Never rejects. */
  execute(request: RemediationRequest, signal: AbortSignal): Promise<ExecutionOutcome>;
}
