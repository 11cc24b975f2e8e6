/** Builds the incident services on a real store and the in-process bus, as the composition root does. */
import type { Bus } from '../../core/ports/bus.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { OpenedStore } from '../../core/store/open-store.ts';
import { createFaultIntake, type FaultIntake } from '../../core/services/fault-intake.ts';
import { defaultIncidentSettings, type IncidentSettings } from '../../core/services/incident-settings.ts';
import { createLifecycleService, type LifecycleService } from '../../core/services/lifecycle-service.ts';
import { uuidV7Gen } from '../../bot/wiring/uuid-v7.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { silentLogger } from '../fixtures/logger.ts';

export interface IncidentServices {
  readonly store: OpenedStore;
  readonly bus: Bus;
  readonly lifecycle: LifecycleService;
  readonly intake: FaultIntake;
}

export function incidentServices(
  store: OpenedStore,
  options: { clock?: Clock; settings?: Partial<IncidentSettings>; bus?: Bus } = {},
): IncidentServices {
  const bus = options.bus ?? createMemoryBus();
  const settings = { ...defaultIncidentSettings, ...options.settings };
  const lifecycle = createLifecycleService({ store, bus, logger: silentLogger });
  const intake = createFaultIntake({
    store,
    bus,
    clock: options.clock ?? { now: () => new Date() },
    ids: uuidV7Gen,
    logger: silentLogger,
    lifecycle,
    settings,
  });
  return { store, bus, lifecycle, intake };
}
