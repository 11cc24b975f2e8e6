/**
 * Fold, clear: a fault's resolution resolves its incident once no other member fires. A flapping fault's clear
 * leaves the incident open; the re-evaluator resolves it once every fault has stayed clear for the quiet period.
 */
import { isOpen } from '../../domain/incident-state.ts';
import { formatMinutes } from '../../domain/policies/quiet-resolution.ts';
import { formatResource } from '../../domain/resource.ts';
import type { IntakeDeps, IntakeOutcome, RefinedItem } from './intake-item.ts';
import { sourceActor } from './open.ts';

function cleared(note: string, incident?: RefinedItem['lastIncident'], flapping = false): IntakeOutcome {
  return {
    kind: 'cleared',
    ...(incident && { incidentId: incident.id }),
    note,
    ...(flapping && { flapping: true as const }),
    message: incident ? `cleared; incident ${incident.id}: ${note}` : `cleared (${note})`,
  };
}

export async function clearFault(item: RefinedItem, deps: IntakeDeps): Promise<IntakeOutcome> {
  const { fault, now, lastIncident: last } = item;
  if (!last || !isOpen(last.state)) return cleared('no open incident');
  if (item.flapping) {
    const quiet = formatMinutes(deps.settings.quietPeriodMs);
    return cleared(
      `flapping: the incident stays open until every fault stays clear for ${quiet}`,
      last,
      true,
    );
  }
  if ((await deps.store.incidents.countFiringMembers(last.id)) > 0) {
    return cleared('other faults of the incident still fire', last);
  }
  const why = fault.context.resolution?.reason;
  const reason = `every fault cleared (last: ${fault.class} on ${formatResource(fault.resource)}${why !== undefined ? `: ${why}` : ''})`;
  const result = await deps.lifecycle.apply(
    last.id,
    { type: 'incident.resolved', at: now, actor: sourceActor(fault), reason },
    reason,
  );
  return result.ok
    ? { kind: 'resolved', incidentId: last.id, message: `resolved incident ${last.id}: ${reason}` }
    : cleared(result.error.message, last);
}
