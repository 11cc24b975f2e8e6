/**
 * Fold, open: a firing fault with no open incident for its cause opens one and asks for its one triage. A lone
 * fault may fold into its namespace's burst instead; the store decides that under the same lock as the open, so
 * faults arriving together fold the same way every time.
 */
import type { Actor } from '../../domain/actor.ts';
import type { Fault } from '../../domain/fault.ts';
import { asAuditEntryId, asIncidentId, type IncidentId } from '../../domain/ids.ts';
import type { Incident } from '../../domain/incident.ts';
import type { ProbableCause } from '../../domain/policies/correlation.ts';
import type { Destination } from '../../domain/policies/pick-cause.ts';
import type { IntakeDeps, IntakeOutcome, LocatedItem } from './intake-item.ts';
import { sourceOf } from './intake-item.ts';
import { joinedOutcome } from './join.ts';

export const sourceActor = (fault: Fault): Actor => ({ type: 'fault-source', source: sourceOf(fault) });

function draft(deps: IntakeDeps, item: LocatedItem, cause: ProbableCause, previous?: IncidentId): Incident {
  return {
    id: asIncidentId(deps.ids.newId()),
    fingerprint: cause.fingerprint,
    cluster: item.fault.cluster,
    severity: item.fault.severity,
    title: cause.title,
    primaryResource: cause.primary,
    state: { status: 'detected' },
    faultCount: 0,
    ...(previous !== undefined && { previousIncidentId: previous }),
    createdAt: item.now,
    updatedAt: item.now,
    version: 0,
  };
}

/** `conflict`: another writer opened an incident for the same cause first; locate the fault again and join it. */
export async function openIncident(
  item: LocatedItem,
  destination: Extract<Destination, { kind: 'new' }>,
  deps: IntakeDeps,
  previousIncidentId?: IncidentId,
): Promise<IntakeOutcome | 'conflict'> {
  const { fault, now } = item;
  const { settings } = deps;
  const namespace = fault.resource.namespace;
  const burst = destination.burst;
  const result = await deps.store.incidents.open({
    incident: draft(deps, item, destination.cause, previousIncidentId),
    member: { cluster: fault.cluster, faultId: fault.faultId, joinedAt: now },
    severity: fault.severity,
    ...(burst &&
      namespace !== undefined && {
        burst: {
          namespace,
          since: new Date(now.getTime() - settings.correlation.burstWindowMs),
          threshold: settings.correlation.burstThreshold,
          incident: draft(deps, item, burst),
        },
      }),
  });
  if (result.kind === 'conflict') return 'conflict';
  if (result.kind === 'joined_burst')
    return joinedOutcome(fault, result.incident, 'namespace_burst', result.added);
  const incident = result.incident;
  const cause = result.burst && burst ? burst : destination.cause;
  await deps.store.audit.append({
    id: asAuditEntryId(deps.ids.newId()),
    incidentId: incident.id,
    actor: sourceActor(fault),
    action: 'incident.opened',
    detail: {
      fingerprint: cause.fingerprint,
      faultId: fault.faultId,
      class: fault.class,
      previousIncidentId,
      ...(fault.context.ownersInferredBy !== undefined && {
        ownersInferredBy: fault.context.ownersInferredBy,
      }),
    },
    at: now,
  });
  await deps.lifecycle.apply(
    incident.id,
    {
      type: 'triage.requested',
      at: now,
      actor: { type: 'system', component: 'intake' },
      agent: item.agent ?? settings.defaultAgent,
      reason: 'new incident',
    },
    `new incident: ${fault.class} on ${cause.title}`,
  );
  return {
    kind: 'opened',
    incidentId: incident.id,
    cause,
    message: `incident opened: ${cause.title}${result.burst ? ' (a burst of lone faults in the namespace)' : ''}`,
  };
}
