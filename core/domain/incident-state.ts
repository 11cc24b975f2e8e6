import type { RemediationRequestId, RunId } from './ids.ts';
import type { TriageRequest } from './run.ts';

/** Every lifecycle state, in the order an incident usually moves through them. */
export const incidentStatuses = [
  'detected',
  'triage_queued',
  'triaging',
  'reported',
  'triage_failed',
  'remediation_proposed',
  'remediation_approved',
  'remediation_denied',
  'remediating',
  'remediated',
  'remediation_failed',
  'resolved',
  'closed',
] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

/** States carry their own data, so a `triaging` incident always knows its run. */
export type IncidentState =
  | { readonly status: 'detected' }
  | ({ readonly status: 'triage_queued' } & TriageRequest)
  | { readonly status: 'triaging'; readonly runId: RunId }
  | { readonly status: 'reported'; readonly runId: RunId }
  | { readonly status: 'triage_failed'; readonly runId: RunId; readonly reason: string }
  | { readonly status: 'remediation_proposed'; readonly requestId: RemediationRequestId }
  | { readonly status: 'remediation_approved'; readonly requestId: RemediationRequestId }
  | { readonly status: 'remediation_denied'; readonly requestId: RemediationRequestId }
  | { readonly status: 'remediating'; readonly requestId: RemediationRequestId }
  | { readonly status: 'remediated'; readonly requestId: RemediationRequestId }
  | {
      readonly status: 'remediation_failed';
      readonly requestId: RemediationRequestId;
      readonly reason: string;
    }
  | { readonly status: 'resolved'; readonly reason: string }
  | { readonly status: 'closed' };

export type StateOf<S extends IncidentStatus> = Extract<IncidentState, { status: S }>;

/** States in which the incident still needs attention (not resolved or closed). */
export function isOpen(state: IncidentState): boolean {
  return state.status !== 'resolved' && state.status !== 'closed';
}
