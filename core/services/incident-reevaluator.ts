/**
 * Every incident resolves. On a schedule: firing faults of sources with a TTL that were not observed again
 * within it are expired (stored as a resolution, so the history says so), then every open incident with no
 * firing fault resolves once its faults have all stayed clear for the quiet period, whatever the last message
 * was (a clear the flap rule held back, a source that never sends one). The resolution says why.
 */
import type { Actor } from '../domain/actor.ts';
import { decideQuietResolution } from '../domain/policies/quiet-resolution.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import type { IncidentSettings } from './incident-settings.ts';
import type { LifecycleService } from './lifecycle-service.ts';

export interface ReevaluationResult {
  /** Faults expired this pass (no refresh within their source's TTL). */
  readonly expired: number;
  /** Incidents resolved this pass, with why. */
  readonly resolved: readonly { readonly incidentId: string; readonly reason: string }[];
}

const actor: Actor = { type: 'system', component: 'incident-reevaluator' };
/** Work per pass is bounded; what is left is taken by the next pass. */
const batchLimit = 500;

export async function reevaluateIncidents(
  deps: {
    readonly store: Store;
    readonly lifecycle: LifecycleService;
    readonly clock: Clock;
    readonly logger: Logger;
  },
  settings: Pick<IncidentSettings, 'quietPeriodMs' | 'faultTtlMs'>,
): Promise<ReevaluationResult> {
  const now = deps.clock.now();
  const expired = await deps.store.faults.expireStale(settings.faultTtlMs, now, batchLimit);
  for (const fault of expired)
    deps.logger.info(
      { cluster: fault.cluster, faultId: fault.faultId, source: fault.source },
      `fault expired: no refresh from ${fault.source} within its TTL`,
    );
  const resolved: { incidentId: string; reason: string }[] = [];
  for (const { incident, members } of await deps.store.incidents.openWithoutFiring(batchLimit)) {
    const decision = decideQuietResolution(
      members.map((m) => ({
        source: m.source,
        clearedAt: m.clearedAt,
        expired: m.resolution?.expired === true,
        ...(m.resolution && { resolution: m.resolution.reason }),
      })),
      incident.createdAt,
      now,
      settings,
    );
    if (decision.kind === 'wait') continue;
    const result = await deps.lifecycle.apply(
      incident.id,
      { type: 'incident.resolved', at: now, actor, reason: decision.reason },
      decision.reason,
    );
    if (result.ok) resolved.push({ incidentId: incident.id, reason: decision.reason });
    else deps.logger.debug({ incidentId: incident.id, error: result.error.message }, 'not resolved yet');
  }
  return { expired: expired.length, resolved };
}

/** How often to look: a tenth of the quiet period, between 1 s and 60 s, so a resolution is never much late. */
export function reevaluationIntervalMs(settings: Pick<IncidentSettings, 'quietPeriodMs'>): number {
  return Math.min(60_000, Math.max(1_000, Math.round(settings.quietPeriodMs / 10)));
}
