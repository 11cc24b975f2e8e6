/**
 * Deduplication: where a firing fault goes. The same faultId stays with its open incident; a recurrence after
 * resolution reopens that incident inside the reopen window, otherwise opens a new one linked to the old.
 */
import type { IncidentId } from '../ids.ts';
import type { Incident } from '../incident.ts';
import { isOpen } from '../incident-state.ts';

export interface DedupSettings {
  /** A fault that recurs this soon after its incident was resolved reopens it. */
  readonly reopenWindowMs: number;
}

export const defaultDedup: DedupSettings = { reopenWindowMs: 30 * 60_000 };

export interface DedupInput {
  readonly now: Date;
  /** The most recent incident this fault (cluster, faultId) was a member of, if any. */
  readonly lastIncidentOfFault?: Incident;
  /** The open incident for the fault's probable cause, if any. */
  readonly openIncidentForCause?: Incident;
}

export type DedupDecision =
  /** Already a member of an open incident: nothing to fold, only the fault's observation is updated. */
  | { readonly kind: 'already_member'; readonly incidentId: IncidentId }
  /** Fold into the open incident of the same probable cause. */
  | { readonly kind: 'join'; readonly incidentId: IncidentId }
  /** Reopen the fault's resolved incident (recurrence inside the window). */
  | { readonly kind: 'reopen'; readonly incidentId: IncidentId }
  /** Open a new incident, linked to the fault's previous one when there was one. */
  | { readonly kind: 'open'; readonly previousIncidentId?: IncidentId };

export function decideDedup(input: DedupInput, settings: DedupSettings = defaultDedup): DedupDecision {
  const last = input.lastIncidentOfFault;
  if (last && isOpen(last.state)) return { kind: 'already_member', incidentId: last.id };
  if (input.openIncidentForCause) return { kind: 'join', incidentId: input.openIncidentForCause.id };
  if (last?.state.status === 'resolved' && last.resolvedAt !== undefined) {
    const sinceResolved = input.now.getTime() - last.resolvedAt.getTime();
    if (sinceResolved <= settings.reopenWindowMs) return { kind: 'reopen', incidentId: last.id };
  }
  return last ? { kind: 'open', previousIncidentId: last.id } : { kind: 'open' };
}
