/**
 * Stage 3, state refinement: a fault follows the problem, not each message about it. The fault's state changes
 * are counted for flap detection, and a fault seen before is matched to its last incident: while that incident
 * is open and the fault still fires, the observation only updates the member (`refined` when its class changed,
 * e.g. ContainerErrorExit → CrashLoopBackOff → OOMKilled) and never opens, reopens or triages anything.
 */
import type { Incident } from '../../domain/incident.ts';
import { isOpen } from '../../domain/incident-state.ts';
import { isFlapping, recentChanges, type FlapSettings } from '../../domain/policies/flap.ts';
import { mostSevere } from '../../domain/severity.ts';
import {
  faultKey,
  groupBy,
  type IntakeDeps,
  type RecordedItem,
  type RefinedItem,
  type Settle,
} from './intake-item.ts';

/** Fault state changes kept per fault for flap detection; bounded so a storm cannot grow memory without end. */
const maxTrackedFaults = 50_000;

export interface FlapTracker {
  /** Notes the fault's state (firing or cleared) and says whether it is flapping now. */
  track(item: RecordedItem): boolean;
}

export function createFlapTracker(settings: FlapSettings): FlapTracker {
  const changes = new Map<string, { readonly resolved: boolean; readonly at: readonly Date[] }>();
  return {
    track({ fault, now }) {
      const key = faultKey(fault);
      const known = changes.get(key);
      const flipped = known?.resolved !== fault.resolved;
      const kept = recentChanges([...(known?.at ?? []), ...(flipped ? [now] : [])], now, settings);
      changes.delete(key);
      if (changes.size >= maxTrackedFaults) {
        const oldest = changes.keys().next();
        if (!oldest.done) changes.delete(oldest.value);
      }
      changes.set(key, { resolved: fault.resolved, at: kept });
      return isFlapping(kept, now, settings);
    },
  };
}

/** The most recent incident of each fault seen before; a fault seen for the first time has none. */
export async function lastIncidents(
  items: readonly RecordedItem[],
  deps: IntakeDeps,
): Promise<Map<string, Incident>> {
  const seenBefore = items.filter((item) => item.record.outcome !== 'new');
  const last = new Map<string, Incident>();
  for (const [cluster, group] of groupBy(seenBefore, (item) => item.fault.cluster)) {
    const found = await deps.store.incidents.lastIncidentsOfFaults(
      cluster,
      group.map((item) => item.fault.faultId),
    );
    for (const [faultId, incident] of found) last.set(faultKey({ cluster, faultId }), incident);
  }
  return last;
}

export async function refineState(
  items: readonly RecordedItem[],
  deps: IntakeDeps,
  flaps: FlapTracker,
  settle: Settle,
): Promise<RefinedItem[]> {
  const last = await lastIncidents(items, deps);
  const next: RefinedItem[] = [];
  for (const item of items) {
    const flapping = flaps.track(item);
    const lastIncident = last.get(faultKey(item.fault));
    const refined: RefinedItem = { ...item, flapping, ...(lastIncident && { lastIncident }) };
    if (item.fault.resolved || !lastIncident || !isOpen(lastIncident.state)) {
      next.push(refined);
      continue;
    }
    const previous = item.record.previous;
    if (previous && !previous.resolved && previous.class !== item.fault.class) {
      if (mostSevere(lastIncident.severity, item.fault.severity) !== lastIncident.severity)
        await deps.store.incidents.raiseSeverity(lastIncident.id, item.fault.severity);
      settle(item, {
        kind: 'refined',
        incidentId: lastIncident.id,
        from: previous.class,
        to: item.fault.class,
        message: `the same problem, now ${item.fault.class} (was ${previous.class}); it stays in incident ${lastIncident.id}`,
      });
    } else {
      settle(item, {
        kind: 'already_member',
        incidentId: lastIncident.id,
        message: `still part of open incident ${lastIncident.id}`,
      });
    }
  }
  return next;
}
