/**
 * Turns faults into incidents as a pipeline of small stages (a file each under `intake/`):
 * record → replay filter → state refinement → silence → fold (join | open | reopen | clear) → announce.
 * A batch of observations flows through; each stage settles the items it decides, and the pipeline stops when
 * none is left. Nothing is dropped: every observation is stored first, even when silenced, flapping or a replay.
 */
import { InvalidFaultError } from '../domain/errors.ts';
import { FaultSchema, type Fault } from '../domain/fault.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdGen } from '../ports/id-gen.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { Store } from '../ports/store.ts';
import type { IncidentSettings } from './incident-settings.ts';
import { createAnnouncer } from './intake/announce.ts';
import { clearFault } from './intake/clear.ts';
import { fold } from './intake/fold.ts';
import {
  faultKey,
  type IntakeDeps,
  type IntakeItem,
  type IntakeOutcome,
  type IntakeOutcomeKind,
  type RefinedItem,
  type Settle,
} from './intake/intake-item.ts';
import { locateCauses } from './intake/locate-cause.ts';
import { normalize, record } from './intake/record.ts';
import { filterReplays } from './intake/replay-filter.ts';
import { createSilenceCheck } from './intake/silence.ts';
import { createFlapTracker, lastIncidents, refineState } from './intake/state-refinement.ts';
import type { LifecycleService } from './lifecycle-service.ts';
import { createMicroBatcher } from './micro-batcher.ts';
import { WatchkeeperError } from '../domain/watchkeeper-error.ts';

export type { IntakeOutcome } from './intake/intake-item.ts';

export interface FaultIntakeDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly logger: Logger;
  readonly lifecycle: LifecycleService;
  readonly settings: IncidentSettings;
  /** Each observation's outcome is counted here too, when metrics are on. */
  readonly metrics?: Metrics;
}

export interface FaultIntake {
  /** `agent` picks the profile for the triage of an incident this fault opens (a person's `/triage … agent=`). */
  ingest(fault: Fault, options?: { readonly agent?: string }): Promise<IntakeOutcome>;
  /** How many observations ended in each outcome since start. */
  counts(): Readonly<Record<IntakeOutcomeKind, number>>;
}

/** A fault that loses this many races in a row to other writers is reported, not retried forever. */
const maxAttempts = 5;

export function createFaultIntake(deps: FaultIntakeDeps): FaultIntake {
  const stageDeps: IntakeDeps = deps;
  const flaps = createFlapTracker(deps.settings.flap);
  const silences = createSilenceCheck(deps);
  const announcer = createAnnouncer(deps);

  async function settleFiring(items: readonly RefinedItem[], settle: Settle): Promise<void> {
    let pending = items;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > maxAttempts) {
        const ids = pending.map((item) => item.fault.faultId).join(', ');
        throw new WatchkeeperError(
          'contended',
          `faults ${ids}: could not settle their incidents after ${maxAttempts} attempts`,
        );
      }
      if (attempt > 1) {
        const last = await lastIncidents(pending, stageDeps);
        pending = pending.map((item) => {
          const found = last.get(faultKey(item.fault));
          return found ? { ...item, lastIncident: found } : item;
        });
      }
      const located = await locateCauses(pending, stageDeps);
      pending = await fold(await silences.apply(located, settle), stageDeps, settle);
    }
  }

  /** One pass of the pipeline over observations of distinct faults. */
  async function run(items: readonly IntakeItem[]): Promise<Map<IntakeItem, IntakeOutcome>> {
    const outcomes = new Map<IntakeItem, IntakeOutcome>();
    const settled: { item: IntakeItem; outcome: IntakeOutcome }[] = [];
    const byKey = new Map(items.map((item) => [faultKey(item.fault), item]));
    // Stages pass copies along; the outcome belongs to the caller's item of the same fault.
    const settle: Settle = (item, outcome) => {
      const own = byKey.get(faultKey(item.fault)) ?? item;
      outcomes.set(own, outcome);
      settled.push({ item: own, outcome });
    };
    const recorded = filterReplays(await record(items, stageDeps), settle);
    const refined = recorded.length > 0 ? await refineState(recorded, stageDeps, flaps, settle) : [];
    await Promise.all([
      settleFiring(
        refined.filter((item) => !item.fault.resolved),
        settle,
      ),
      ...refined
        .filter((item) => item.fault.resolved)
        .map(async (item) => settle(item, await clearFault(item, stageDeps))),
    ]);
    await announcer.announce(settled);
    return outcomes;
  }

  async function ingestBatch(
    inputs: readonly { readonly fault: Fault; readonly agent?: string }[],
  ): Promise<IntakeOutcome[]> {
    const now = deps.clock.now();
    const items: IntakeItem[] = inputs.map(({ fault, agent }) => ({
      fault: normalize(fault, deps.settings),
      now,
      ...(agent !== undefined && { agent }),
    }));
    // The same fault twice in one batch: the store takes one row per fault a statement, so later ones go after.
    const passes: IntakeItem[][] = [];
    const depth = new Map<string, number>();
    for (const item of items) {
      const key = faultKey(item.fault);
      const n = depth.get(key) ?? 0;
      depth.set(key, n + 1);
      (passes[n] ??= []).push(item);
    }
    const outcomes = new Map<IntakeItem, IntakeOutcome>();
    for (const pass of passes) for (const [item, outcome] of await run(pass)) outcomes.set(item, outcome);
    return items.map(
      (item) =>
        outcomes.get(item) ?? {
          kind: 'duplicate',
          message: 'already stored: a replay or an older observation',
        },
    );
  }

  const batcher = createMicroBatcher(ingestBatch, { maxSize: 128, maxInFlight: 4 });

  return {
    ingest: (input, options) => {
      // Every source's adapter checks its own input; this is the last guard, so no source can store what the
      // domain cannot hold (a name with a newline would reach prompts and Slack as structure, not text).
      const parsed = FaultSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return Promise.reject(
          new InvalidFaultError(issue?.path.map(String).join('.') ?? '', issue?.message ?? 'invalid'),
        );
      }
      const fault = input; // checked, not replaced: what the source built (dates included) goes on as it is
      return batcher.add(options?.agent !== undefined ? { fault, agent: options.agent } : { fault });
    },
    counts: () => announcer.counts(),
  };
}
