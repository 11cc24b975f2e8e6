/** Closes resolved incidents that stayed quiet (no recurrence) for the configured period. */
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';
import type { IncidentSettings } from './incident-settings.ts';
import type { LifecycleService } from './lifecycle-service.ts';

export async function closeQuietIncidents(
  deps: { readonly store: Store; readonly lifecycle: LifecycleService; readonly clock: Clock },
  settings: Pick<IncidentSettings, 'closeAfterMs'>,
): Promise<number> {
  const now = deps.clock.now();
  const quiet = await deps.store.incidents.list({
    statuses: ['resolved'],
    resolvedBefore: new Date(now.getTime() - settings.closeAfterMs),
    limit: 200,
  });
  let closed = 0;
  for (const incident of quiet) {
    const result = await deps.lifecycle.apply(
      incident.id,
      { type: 'incident.closed', at: now, actor: { type: 'system', component: 'quiet-closer' } },
      `no recurrence for ${Math.round(settings.closeAfterMs / 60_000)} min after resolution`,
    );
    if (result.ok) closed += 1;
  }
  return closed;
}
