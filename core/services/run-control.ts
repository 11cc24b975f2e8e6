/**
 * Stops the runs this replica executes when someone (anywhere) asks: Resolve in Slack, the incident resolving by
 * itself, a newer run of the same incident, and this replica's own reasons (its claim lost, a shutdown). Each
 * held run is aborted through the launcher's signal, which kills a local process group or deletes a Job.
 *
 * Two paths lead here. The fast one: every held run is subscribed to `subjects.runControl(runId)`, so the replica
 * that runs it hears a cancel published by any other replica at once. The sure one: the request is recorded on
 * the run in the store, and every held run is checked against the store every `checkMs`, so a message lost to
 * a NATS outage or a restart still stops the run. A bus message is only a hint to check now; what the store
 * says decides, since a run's own pod may publish on its run's subjects.
 */
import type { Incident } from '../domain/incident.ts';
import type { RunId } from '../domain/ids.ts';
import { describeCancelledBy, type CancelledBy, type TriageRun } from '../domain/run.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import { subjects } from '../ports/subjects.ts';
import { RunControlMessageSchema, runControlMessage } from './run-control-message.ts';

export interface RunControlDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often held runs are checked against the store (default 1 s). */
  readonly checkMs?: number;
}

/** The abort reason a held run's signal carries. */
export class RunCancelledError extends Error {
  readonly by: CancelledBy;
  constructor(by: CancelledBy) {
    super(`the run was cancelled (${describeCancelledBy(by)})`);
    this.by = by;
    this.name = 'RunCancelledError';
  }
}

export interface HeldRun {
  /** Why the run was stopped, once it was; the first cause recorded wins. */
  cancelledBy(): CancelledBy | undefined;
  /** The run ended (or is let go): stop watching it. */
  release(): void;
}

export interface RunControl {
  /** Watches a run this replica executes; `controller` is aborted with a `RunCancelledError` to stop it. */
  hold(run: TriageRun, controller: AbortController): HeldRun;
  /** Stops a held run for a cause decided here (claim lost, shutdown) and records it. */
  cancel(runId: RunId, by: CancelledBy): Promise<void>;
  /** Asks whichever replica runs `runId` to stop it: recorded in the store, then signalled on the bus. */
  request(runId: RunId, by: CancelledBy): Promise<void>;
  /** Checks every held run against the store now (the timer does this every `checkMs`). */
  checkAll(): Promise<void>;
  stop(): void;
}

interface Held {
  readonly run: TriageRun;
  readonly controller: AbortController;
  readonly subscription: AbortController;
  by?: CancelledBy;
  released: boolean;
}

const finished: readonly TriageRun['status'][] = ['succeeded', 'failed', 'cancelled'];

/**
 * Whether a run this replica executes must stop, from what the store says: a recorded request, a newer run on
 * its incident, a run another replica already ended (it took the work over), or an incident that moved on.
 */
export function stopCause(
  run: TriageRun | undefined,
  incident: Incident | undefined,
): CancelledBy | undefined {
  if (run?.cancellation) return run.cancellation.by;
  if (!run || !incident) return { kind: 'resolved', detail: 'the incident no longer exists' };
  const state = incident.state;
  if (state.status === 'triaging' && state.runId !== run.id)
    return { kind: 'superseded', runId: state.runId };
  if (finished.includes(run.status)) return { kind: 'lease_lost' };
  if (state.status === 'triaging') return undefined;
  if (state.status === 'resolved') return { kind: 'resolved', detail: state.reason };
  if (state.status === 'closed') return { kind: 'resolved', detail: 'the incident was closed' };
  return { kind: 'lease_lost' };
}

export function createRunControl(deps: RunControlDeps): RunControl {
  const { store, bus, clock, logger } = deps;
  const held = new Map<RunId, Held>();
  let checking: Promise<void> | undefined;

  function abort(entry: Held, by: CancelledBy): void {
    if (entry.released || entry.controller.signal.aborted) return;
    entry.by ??= by;
    logger.info(
      { runId: entry.run.id, incidentId: entry.run.incidentId, cancelledBy: describeCancelledBy(entry.by) },
      `stopping run ${entry.run.id}: cancelled by ${describeCancelledBy(entry.by)}`,
    );
    entry.controller.abort(new RunCancelledError(entry.by));
  }

  /** Records `by` unless a cause is already recorded, and returns the cause that stands. */
  async function record(runId: RunId, by: CancelledBy): Promise<CancelledBy> {
    const run = await store.runs.recordCancellation(runId, { by, at: clock.now() });
    return run?.cancellation?.by ?? by;
  }

  /** Read through a call: the flag changes while a check awaits the store. */
  const isReleased = (entry: Held) => entry.released;

  async function check(entry: Held): Promise<void> {
    if (entry.released || entry.controller.signal.aborted) return;
    const run = await store.runs.get(entry.run.id);
    const incident = await store.incidents.get(entry.run.incidentId);
    const cause = stopCause(run, incident);
    if (!cause || isReleased(entry)) return;
    abort(entry, run?.cancellation ? cause : await record(entry.run.id, cause).catch(() => cause));
  }

  const checkSafely = (entry: Held) =>
    check(entry).catch((error: unknown) =>
      logger.warn({ err: error, runId: entry.run.id }, 'could not check a run for a stop request; retrying'),
    );

  async function follow(entry: Held): Promise<void> {
    const signal = entry.subscription.signal;
    const stopped = () => signal.aborted;
    while (!stopped()) {
      try {
        for await (const message of bus.subscribe(subjects.runControl(entry.run.id), {
          from: 'new',
          signal,
        })) {
          const parsed = RunControlMessageSchema.safeParse(message.data);
          if (parsed.success && parsed.data.runId === entry.run.id) await checkSafely(entry);
        }
      } catch (error) {
        if (stopped()) return;
        logger.warn({ err: error, runId: entry.run.id }, 'lost the run control subscription; resubscribing');
      }
      // A subscription that ended on its own (the bus closed) is retried without a busy loop.
      await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
    }
  }

  async function checkAll(): Promise<void> {
    checking ??= Promise.all([...held.values()].map(checkSafely))
      .then(() => undefined)
      .finally(() => {
        checking = undefined;
      });
    return checking;
  }

  let timer: NodeJS.Timeout | undefined;
  /** The store is only polled while this replica holds a run. */
  function poll(): void {
    if (held.size === 0) {
      clearInterval(timer);
      timer = undefined;
    } else if (!timer) {
      timer = setInterval(() => void checkAll(), deps.checkMs ?? 1_000);
      timer.unref();
    }
  }

  return {
    hold(run, controller) {
      const entry: Held = { run, controller, subscription: new AbortController(), released: false };
      held.set(run.id, entry);
      poll();
      void follow(entry);
      // A request made before the subscription existed (between the start and now) is in the store.
      void checkSafely(entry);
      return {
        cancelledBy: () => entry.by,
        release() {
          entry.released = true;
          entry.subscription.abort();
          if (held.get(run.id) === entry) held.delete(run.id);
          poll();
        },
      };
    },
    async cancel(runId, by) {
      const entry = held.get(runId);
      // Stopped first, recorded after: the run must not wait on a store that may be the reason for the stop.
      if (entry) abort(entry, by);
      const standing = await record(runId, by).catch((error: unknown) => {
        logger.warn({ err: error, runId }, 'could not record why the run was stopped');
        return by;
      });
      if (entry && !entry.released) entry.by = standing;
    },
    async request(runId, by) {
      await record(runId, by);
      await bus
        .publish(subjects.runControl(runId), runControlMessage(runId, by))
        .catch((error: unknown) =>
          logger.warn(
            { err: error, runId },
            'could not signal the run to stop; its replica finds it in the store',
          ),
        );
    },
    checkAll,
    stop() {
      for (const entry of held.values()) entry.subscription.abort();
      held.clear();
      poll();
    },
  };
}
