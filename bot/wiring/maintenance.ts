/** Periodic housekeeping: publish what the lifecycle outbox still holds, close incidents that stayed quiet. */
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Store } from '../../core/ports/store.ts';
import type { IncidentSettings } from '../../core/services/incident-settings.ts';
import type { LifecycleService } from '../../core/services/lifecycle-service.ts';
import { closeQuietIncidents } from '../../core/services/quiet-closer.ts';

export function startMaintenance(
  deps: { readonly store: Store; readonly lifecycle: LifecycleService; readonly clock: Clock },
  settings: IncidentSettings,
  logger: Logger,
  everyMs = 60_000,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const pass = async () => {
    await deps.lifecycle.publishPending();
    const closed = await closeQuietIncidents(deps, settings);
    if (closed > 0) logger.info({ closed }, `closed ${closed} quiet incident(s)`);
  };
  const timer = setInterval(() => {
    running ??= pass()
      .catch((error: unknown) => logger.warn({ err: error }, 'maintenance pass failed; retrying next minute'))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
