import type { Actor } from './actor.ts';
import type { RemediationRequestId, RunId } from './ids.ts';
import type { TriageRequest } from './run.ts';

interface Base {
  readonly at: Date;
  readonly actor: Actor;
}

/** Everything that can happen to an incident. `decide()` turns one of these into a transition or a rejection. */
export type IncidentEvent =
  | (Base & { readonly type: 'fault.folded'; readonly faultId: string })
  | (Base & TriageRequest & { readonly type: 'triage.requested'; readonly reason: string })
  | (Base & { readonly type: 'triage.started'; readonly runId: RunId })
  | (Base & { readonly type: 'triage.succeeded'; readonly runId: RunId })
  | (Base & { readonly type: 'triage.failed'; readonly runId: RunId; readonly reason: string })
  /** A run lost with its process (restart recovery): back to the queue. */
  | (Base & { readonly type: 'triage.requeued'; readonly runId: RunId; readonly reason: string })
  | (Base & { readonly type: 'remediation.proposed'; readonly requestId: RemediationRequestId })
  | (Base & { readonly type: 'remediation.approved'; readonly requestId: RemediationRequestId })
  | (Base & { readonly type: 'remediation.denied'; readonly requestId: RemediationRequestId })
  | (Base & { readonly type: 'remediation.started'; readonly requestId: RemediationRequestId })
  | (Base & { readonly type: 'remediation.succeeded'; readonly requestId: RemediationRequestId })
  | (Base & {
      readonly type: 'remediation.failed';
      readonly requestId: RemediationRequestId;
      readonly reason: string;
    })
  /** The fault cleared by itself, or a person marked the incident resolved. */
  | (Base & { readonly type: 'incident.resolved'; readonly reason: string })
  /** The quiet period after resolution passed. */
  | (Base & { readonly type: 'incident.closed' })
  /** The fault came back after resolution, inside the reopen window (the dedup policy decides the window). */
  | (Base & {
      readonly type: 'incident.reopened';
      readonly faultId: string;
      /** The run whose report still stands: the incident goes back to `reported` on it instead of `detected`. */
      readonly resumeRunId?: RunId;
    });

export type IncidentEventType = IncidentEvent['type'];
