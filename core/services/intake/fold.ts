/**
 * Stage 5, fold: each firing fault joins the open incident of its cause, reopens its resolved one, or opens a new
 * one (the dedup policy decides). Joins go to the store in one statement; opens and reopens run concurrently,
 * and the ones that lost a race to another writer come back to be located again.
 */
import type { FoldReason, Incident } from '../../domain/incident.ts';
import { decideDedup } from '../../domain/policies/dedup.ts';
import type { IntakeDeps, LocatedItem, RefinedItem, Settle } from './intake-item.ts';
import { join } from './join.ts';
import { openIncident } from './open.ts';
import { reopenIncident } from './reopen.ts';

/** Returns the items to locate again (a lost race). */
export async function fold(
  items: readonly LocatedItem[],
  deps: IntakeDeps,
  settle: Settle,
): Promise<RefinedItem[]> {
  const joins: { item: LocatedItem; incident: Incident; reason: FoldReason }[] = [];
  const retry: RefinedItem[] = [];
  const others: Promise<void>[] = [];
  // One open per cause and batch: the other faults of that cause wait and join it (no race to lose).
  const opening = new Set<string>();
  for (const item of items) {
    const to = item.destination;
    const decision = decideDedup(
      {
        now: item.now,
        ...(item.lastIncident && { lastIncidentOfFault: item.lastIncident }),
        ...(to.kind === 'open_incident' && { openIncidentForCause: to.incident }),
      },
      deps.settings.dedup,
    );
    switch (decision.kind) {
      case 'already_member':
        settle(item, {
          kind: 'already_member',
          incidentId: decision.incidentId,
          message: `still part of open incident ${decision.incidentId}`,
        });
        break;
      case 'join':
        if (to.kind === 'open_incident') joins.push({ item, incident: to.incident, reason: to.cause.reason });
        break;
      case 'reopen':
        others.push(
          reopenIncident(item, decision.incidentId, deps).then((outcome) => {
            if (outcome === 'retry') retry.push(forRetry(item));
            else settle(item, outcome);
          }),
        );
        break;
      case 'open':
        if (to.kind !== 'new') break;
        if (opening.has(to.cause.fingerprint)) {
          retry.push(forRetry(item));
          break;
        }
        opening.add(to.cause.fingerprint);
        others.push(
          openIncident(item, to, deps, decision.previousIncidentId).then((outcome) => {
            if (outcome === 'conflict') retry.push(forRetry(item));
            else settle(item, outcome);
          }),
        );
        break;
    }
  }
  await join(joins, deps, settle);
  await Promise.all(others);
  return retry;
}

/** Back to before `locate`, with the fault's last incident to be read again (the race may have changed it). */
function forRetry(item: LocatedItem): RefinedItem {
  const { destination: _destination, lastIncident: _lastIncident, ...rest } = item;
  return rest;
}
