/**
 * Periodic housekeeping: publish what the lifecycle outbox still holds, close incidents that stayed quiet, and
 * re-evaluate open incidents (expire unrefreshed faults, resolve the ones whose faults all stayed clear).
 */
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Store } from '../../core/ports/store.ts';
import type { IncidentSettings } from '../../core/services/incident-settings.ts';
import { reevaluateIncidents, reevaluationIntervalMs } from '../../core/services/incident-reevaluator.ts';
import type { LifecycleService } from '../../core/services/lifecycle-service.ts';
import { closeQuietIncidents } from '../../core/services/quiet-closer.ts';

/** Runs `pass` every `ms`, never two at once; `stop()` waits for the one in progress. */
function every(ms: number, pass: () => Promise<void>, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= pass()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  }, ms);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

export function startMaintenance(
  deps: { readonly store: Store; readonly lifecycle: LifecycleService; readonly clock: Clock },
  settings: IncidentSettings,
  logger: Logger,
  everyMs = 60_000,
): { stop(): Promise<void> } {
  const stopHousekeeping = every(
    everyMs,
    async () => {
      await deps.lifecycle.publishPending();
      const closed = await closeQuietIncidents(deps, settings);
      if (closed > 0) logger.info({ closed }, `closed ${closed} quiet incident(s)`);
    },
    (error) => logger.warn({ err: error }, 'maintenance pass failed; retrying next minute'),
  );
  const reevaluator = logger.child({ component: 'incident-reevaluator' });
  const stopReevaluation = every(
    reevaluationIntervalMs(settings),
    async () => {
      const { resolved } = await reevaluateIncidents({ ...deps, logger: reevaluator }, settings);
      for (const { incidentId, reason } of resolved)
        reevaluator.info({ incidentId }, `incident resolved: ${reason}`);
    },
    (error) =>
      reevaluator.warn({ err: error }, 're-evaluating open incidents failed; retrying on the next pass'),
  );
  return {
    async stop() {
      await Promise.all([stopHousekeeping(), stopReevaluation()]);
    },
  };
}
