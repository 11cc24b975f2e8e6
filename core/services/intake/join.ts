/**
 * Fold, join: faults whose cause already has an open incident become its members, many in one statement. The one
 * join path: the burst join in `open.ts` is decided under the open's lock but says the same thing.
 */
import type { Fault } from '../../domain/fault.ts';
import { foldReasonText, type FoldReason, type Incident } from '../../domain/incident.ts';
import { ownerInferenceText, type OwnerInferenceRule } from '../../domain/policies/infer-owner.ts';
import { mostSevere } from '../../domain/severity.ts';
import type { IntakeDeps, IntakeOutcome, LocatedItem, Settle } from './intake-item.ts';

/** "a pod of the same workload (owner inferred from the pod name …)": why a fault is part of an incident. */
export function foldedBecause(fault: Fault, reason: FoldReason): string {
  const rule = fault.context.ownersInferredBy as OwnerInferenceRule | undefined;
  const inferred = rule !== undefined && rule in ownerInferenceText ? ` (${ownerInferenceText[rule]})` : '';
  return `${foldReasonText[reason]}${reason === 'same_owner_workload' ? inferred : ''}`;
}

export function joinedOutcome(
  fault: Fault,
  incident: Incident,
  reason: FoldReason,
  added: boolean,
): IntakeOutcome {
  return added
    ? {
        kind: 'joined',
        incidentId: incident.id,
        reason,
        message: `folded into incident ${incident.id} (${incident.title}) because it is ${foldedBecause(fault, reason)}`,
      }
    : { kind: 'already_member', incidentId: incident.id, message: `already part of incident ${incident.id}` };
}

export async function join(
  joins: readonly { readonly item: LocatedItem; readonly incident: Incident; readonly reason: FoldReason }[],
  deps: IntakeDeps,
  settle: Settle,
): Promise<void> {
  if (joins.length === 0) return;
  const added = await deps.store.incidents.addMembers(
    joins.map(({ item, incident, reason }) => ({
      incidentId: incident.id,
      cluster: item.fault.cluster,
      faultId: item.fault.faultId,
      reason,
      joinedAt: item.now,
    })),
  );
  const addedKeys = new Set(added.map((m) => `${m.incidentId}\u0000${m.cluster}\u0000${m.faultId}`));
  const raised = new Map<Incident, Fault['severity']>();
  for (const { item, incident, reason } of joins) {
    const key = `${incident.id}\u0000${item.fault.cluster}\u0000${item.fault.faultId}`;
    settle(item, joinedOutcome(item.fault, incident, reason, addedKeys.has(key)));
    const highest = mostSevere(raised.get(incident) ?? incident.severity, item.fault.severity);
    if (highest !== incident.severity) raised.set(incident, highest);
  }
  for (const [incident, severity] of raised) await deps.store.incidents.raiseSeverity(incident.id, severity);
}
