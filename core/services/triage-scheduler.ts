/**
 * Starts queued triage runs within the caps, budgets, storm guard and circuit breaker, and sees each run to its
 * end. Work is claimed from the durable queue with a lease that is renewed while the run lives, so two
 * Watchkeeper processes never run the same incident, and a dead process's work passes to a live one once its
 * lease expires: its run is re-attached (a Job that still runs) or stopped and started again.
 */
import type { Actor } from '../domain/actor.ts';
import { asIncidentId, asRunId } from '../domain/ids.ts';
import type { Incident } from '../domain/incident.ts';
import type { IncidentEvent } from '../domain/incident-event.ts';
import { redact } from '../domain/redact.ts';
import { admitRun } from '../domain/policies/admission.ts';
import { allowRun, budgetFor } from '../domain/policies/budgets.ts';
import {
  breakerFromHistory,
  recordRunOutcome,
  type BreakerState,
} from '../domain/policies/circuit-breaker.ts';
import {
  describeCancelledBy,
  neutralFailureReasons,
  type CancelledBy,
  type SandboxRef,
  type TriageRun,
} from '../domain/run.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdGen } from '../ports/id-gen.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { Store } from '../ports/store.ts';
import { subjects } from '../ports/subjects.ts';
import type { RunResult, TriageLauncher } from '../ports/triage-launcher.ts';
import type { WorkItem } from '../ports/work-queue.ts';
import type { IncidentSettings } from './incident-settings.ts';
import { triageWorkKind, type LifecycleService } from './lifecycle-service.ts';
import {
  createRunControl,
  RunCancelledError,
  stopCause,
  type HeldRun,
  type RunControl,
} from './run-control.ts';
import { runEndedOf } from './run-metrics.ts';

export interface TriageSchedulerDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly lifecycle: LifecycleService;
  readonly launcher: TriageLauncher;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly logger: Logger;
  readonly settings: IncidentSettings;
  /** This process's identity in leases and run records (host:pid:boot id). */
  readonly owner: string;
  /** How often the queue is polled for due work. */
  readonly pollMs?: number;
  /** How often held runs are checked against the store for a stop request (default 1 s). */
  readonly controlCheckMs?: number;
  readonly metrics?: Metrics;
}

export interface TriageScheduler {
  /** One pass: claim due work and start (or recover) what the caps allow. Returns how many items it took. */
  tick(): Promise<number>;
  start(): void;
  /**
   * Stops polling and waits for in-flight runs. With `abandon`, a local run is stopped and queued to run again;
   * a Job run is left running and its claim released, so the next replica (or this one restarted) re-attaches.
   */
  stop(options?: { abandon?: boolean }): Promise<void>;
  /** Runs this process is executing right now. */
  inFlight(): number;
}

const schedulerActor: Actor = { type: 'system', component: 'scheduler' };

export function createTriageScheduler(deps: TriageSchedulerDeps): TriageScheduler {
  const { store, lifecycle, launcher, clock, logger, settings, owner } = deps;
  const runControl: RunControl = createRunControl({
    store,
    bus: deps.bus,
    clock,
    logger,
    ...(deps.controlCheckMs !== undefined && { checkMs: deps.controlCheckMs }),
  });
  const running = new Map<string, InFlight>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<number> | undefined;
  let stopping = false;

  const event = <T extends IncidentEvent['type']>(
    type: T,
    fields: Omit<Extract<IncidentEvent, { type: T }>, 'type' | 'at' | 'actor'>,
  ): IncidentEvent => ({ type, at: clock.now(), actor: schedulerActor, ...fields }) as IncidentEvent;

  async function currentBreaker(runningNow: number): Promise<BreakerState> {
    const outcomes = (await store.runs.recentOutcomes(settings.breaker.failureThreshold + 20))
      .filter((run) => !(run.failure && neutralFailureReasons.includes(run.failure.reason)))
      .map((run) => ({ failed: run.status === 'failed', finishedAt: run.finishedAt ?? run.createdAt }));
    return breakerFromHistory(outcomes, runningNow, settings.breaker);
  }

  /** Keeps the claim alive while the run lives; a lost claim means another process took over: stop at once. */
  function holdLease(item: WorkItem, onLost: () => void): () => void {
    const interval = setInterval(
      () => {
        const until = new Date(clock.now().getTime() + settings.leaseMs);
        store.queue.renew(item.id, owner, until).then(
          (held) => {
            if (!held) {
              logger.warn({ item: item.key }, 'lost the claim on a running triage; stopping it');
              onLost();
            }
          },
          (error: unknown) =>
            logger.warn({ err: error, item: item.key }, 'could not renew a claim; retrying'),
        );
      },
      Math.max(250, Math.floor(settings.leaseMs / 3)),
    );
    interval.unref();
    return () => clearInterval(interval);
  }

  async function finish(run: TriageRun, raw: RunResult, item: WorkItem): Promise<void> {
    // A crashing agent's stderr tail or last message is untrusted text: redacted before the store, the
    // incident state, Slack and the log see it.
    const result: RunResult = raw.ok
      ? raw
      : { ...raw, failure: { ...raw.failure, detail: redact(raw.failure.detail) } };
    const runningNow = (await store.runs.load(clock.now(), 60_000)).running;
    const before = await currentBreaker(runningNow);
    const finishedAt = clock.now();
    await store.runs.update(run.id, {
      status: result.ok ? 'succeeded' : result.failure.reason === 'cancelled' ? 'cancelled' : 'failed',
      finishedAt,
      ...(result.usage && { usage: result.usage }),
      ...(result.ok && result.reportKey !== undefined && { reportKey: result.reportKey }),
      ...(!result.ok && { failure: result.failure }),
    });
    const outcome = result.ok
      ? await lifecycle.apply(
          run.incidentId,
          event('triage.succeeded', { runId: run.id }),
          'the triage run finished',
        )
      : await lifecycle.apply(
          run.incidentId,
          event('triage.failed', {
            runId: run.id,
            reason: `${result.failure.reason}: ${result.failure.detail}`,
          }),
          `the triage run failed (${result.failure.reason})`,
        );
    deps.metrics?.runEnded(runEndedOf(run, result, finishedAt, outcome.ok ? outcome.incident : undefined));
    logger.info(
      {
        incidentId: run.incidentId,
        runId: run.id,
        agent: run.agent,
        ...(result.ok ? { reportKey: result.reportKey } : { failure: result.failure }),
      },
      result.ok
        ? `triage run finished: report ${result.reportKey ?? '(none)'}`
        : `triage run failed: ${result.failure.reason}`,
    );
    if (!outcome.ok)
      logger.info({ runId: run.id, why: outcome.error.message }, 'run ended after its incident moved on');
    if (result.ok || !neutralFailureReasons.includes(result.failure.reason)) {
      const step = recordRunOutcome(before, result.ok, finishedAt, settings.breaker);
      if (step.notice) await publishNotice(step.notice, step.breaker, finishedAt);
    }
    await store.queue.complete(item.id, owner);
  }

  async function publishNotice(
    notice: 'degraded' | 'recovered',
    breaker: BreakerState,
    at: Date,
  ): Promise<void> {
    const text =
      notice === 'degraded'
        ? `Triage runs are paused: ${breaker.consecutiveFailures} runs failed in a row. A probe run will test recovery.`
        : 'Triage runs are working again: the probe run succeeded.';
    logger.warn({ notice, consecutiveFailures: breaker.consecutiveFailures }, text);
    await deps.bus
      .publish(
        subjects.systemNotice,
        { type: `system.${notice}`, text, at },
        { msgId: `breaker:${notice}:${at.getTime()}` },
      )
      .catch((error: unknown) => logger.warn({ err: error }, 'system notice not published'));
  }

  /** Marks a run lost (its process is gone, or this one is stopping) and queues the incident again at once. */
  async function requeueLost(run: TriageRun, item: WorkItem, detail: string): Promise<void> {
    const now = clock.now();
    await store.runs.update(run.id, {
      status: 'failed',
      finishedAt: now,
      failure: { reason: 'lost', detail },
    });
    deps.metrics?.runEnded(runEndedOf(run, { ok: false, failure: { reason: 'lost', detail } }, now));
    await lifecycle.apply(
      run.incidentId,
      event('triage.requeued', { runId: run.id, reason: detail }),
      detail,
    );
    await store.queue.release(item.id, owner, now, 'queued again after its run was lost');
  }

  /** Tells the card a run was stopped (its incident has usually moved on, so no transition says so). */
  async function announceCancelled(run: TriageRun, by: CancelledBy): Promise<void> {
    await deps.bus
      .publish(subjects.incidentUpdated(run.incidentId), {
        incidentId: run.incidentId,
        type: 'run.cancelled',
        runId: run.id,
        cancelledBy: by,
        at: clock.now(),
      })
      .catch(() => undefined);
  }

  /**
   * Runs the launch (or follows a run another process started) in the background, so the tick goes on to the
   * next item. The claim is renewed for as long as the run lives; the run control stops it when asked.
   */
  function execute(run: TriageRun, incident: Incident, item: WorkItem, mode: 'launch' | 'reattach'): void {
    const controller = new AbortController();
    const held = runControl.hold(run, controller);
    const entry: InFlight = {
      run,
      item,
      held,
      sandbox: run.sandbox,
      leaseLost: false,
      detached: false,
      releaseLease: () => undefined,
      done: Promise.resolve(),
    };
    entry.releaseLease = holdLease(item, () => {
      entry.leaseLost = true;
      void runControl.cancel(run.id, { kind: 'lease_lost' });
    });
    /** Whether this process still decides how the run ends (not let go at shutdown, not taken over). */
    const ours = () => !entry.detached && !entry.leaseLost;
    entry.done = (async () => {
      try {
        let result: RunResult | undefined;
        if (mode === 'reattach') {
          result = await launcher.reattach(run, controller.signal);
          if (!result) {
            held.release();
            if (!ours()) return;
            await requeueLost(
              run,
              item,
              `its process (${run.owner ?? 'unknown'}) stopped; the run was stopped and queued again`,
            );
            return;
          }
        } else {
          await store.runs.update(run.id, { status: 'running' });
          result = await launcher.launch({
            run,
            incident,
            budget: budgetFor(incident.severity, settings.budgets),
            signal: controller.signal,
            onSandbox: async (sandbox) => {
              entry.sandbox = sandbox;
              await store.runs.update(run.id, { status: 'running', sandbox });
            },
          });
        }
        held.release();
        const by = held.cancelledBy();
        if (!ours() || by?.kind === 'lease_lost' || by?.kind === 'superseded') {
          if (!entry.detached)
            logger.warn(
              { runId: run.id, incidentId: run.incidentId },
              `run ${run.id} stopped: ${describeCancelledBy(by ?? { kind: 'lease_lost' })}; its new holder records how it ended`,
            );
          return;
        }
        if (by?.kind === 'shutdown') {
          await requeueLost(run, item, 'Watchkeeper stopped while the run was in flight; queued again');
          return;
        }
        const ended: RunResult =
          by && !result.ok
            ? {
                ...result,
                failure: { reason: 'cancelled', detail: `cancelled by ${describeCancelledBy(by)}` },
              }
            : result;
        await finish(run, ended, item);
        if (by && !ended.ok) await announceCancelled(run, by);
      } catch (error) {
        if (!ours()) return;
        logger.error({ err: error, runId: run.id }, 'triage run crashed inside Watchkeeper');
        await finish(
          run,
          { ok: false, failure: { reason: 'sandbox_error', detail: String(error) } },
          item,
        ).catch((inner: unknown) =>
          logger.error({ err: inner, runId: run.id }, 'could not record the failed run'),
        );
      } finally {
        held.release();
        entry.releaseLease();
        if (running.get(run.id) === entry) running.delete(run.id);
      }
    })();
    running.set(run.id, entry);
  }

  /**
   * Stops a run nobody holds any more (its replica died) whose incident moved on, or that a newer run replaces:
   * its Job is deleted, its local process group killed when it is on this host; it is recorded as cancelled.
   */
  async function stopOrphan(run: TriageRun, by: CancelledBy): Promise<void> {
    const standing =
      (await store.runs.recordCancellation(run.id, { by, at: clock.now() }))?.cancellation?.by ?? by;
    if (run.sandbox)
      await launcher
        .reattach(run, AbortSignal.abort(new RunCancelledError(standing)))
        .catch((error: unknown) =>
          logger.warn(
            { err: error, runId: run.id },
            'could not stop a run left behind; it ends at its deadline',
          ),
        );
    await store.runs.update(run.id, {
      status: 'cancelled',
      finishedAt: clock.now(),
      failure: { reason: 'cancelled', detail: `cancelled by ${describeCancelledBy(standing)}` },
    });
    logger.info(
      { runId: run.id, incidentId: run.incidentId },
      `stopped a run left behind: cancelled by ${describeCancelledBy(standing)}`,
    );
    await announceCancelled(run, standing);
  }

  /** A run left `triaging` by a process that died (its claim expired): follow it, or stop it and run again. */
  async function recover(incident: Incident, item: WorkItem): Promise<void> {
    if (incident.state.status !== 'triaging') return;
    const run = await store.runs.get(incident.state.runId);
    if (!run || run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
      await store.queue.complete(item.id, owner);
      return;
    }
    if (!running.has(run.id)) execute(run, incident, item, 'reattach');
  }

  async function handle(item: WorkItem): Promise<void> {
    const incidentId = asIncidentId(String(item.payload.incidentId));
    const incident = await store.incidents.get(incidentId);
    if (incident?.state.status === 'triaging') {
      await recover(incident, item);
      return;
    }
    if (incident?.state.status !== 'triage_queued') {
      // Resolved or moved on meanwhile: nothing to run, but a run its dead replica left going is stopped.
      if (incident)
        for (const orphan of await store.runs.listByIncident(incident.id))
          if ((orphan.status === 'starting' || orphan.status === 'running') && !running.has(orphan.id))
            await stopOrphan(orphan, stopCause(orphan, incident) ?? { kind: 'lease_lost' });
      await store.queue.complete(item.id, owner);
      return;
    }
    const now = clock.now();
    const previous = await store.runs.listByIncident(incident.id);
    // Holding the claim, no one else works on this incident: a run still marked active was left half-started
    // by a process that died between recording it and starting it.
    const stales = previous.filter((run) => run.status === 'starting' || run.status === 'running');
    for (const stale of stales) {
      if (stale.sandbox)
        await launcher
          .reattach(stale, AbortSignal.abort(new RunCancelledError({ kind: 'lease_lost' })))
          .catch((error: unknown) =>
            logger.warn({ err: error, runId: stale.id }, 'could not stop a run left behind'),
          );
      await store.runs.update(stale.id, {
        status: 'failed',
        finishedAt: now,
        failure: {
          reason: 'lost',
          detail: `never started: its process (${stale.owner ?? 'unknown'}) stopped`,
        },
      });
    }
    // Counting what runs and starting one more happen under one lock, so caps hold across replicas too.
    const admitted = await store.exclusive('triage-admission', async () => {
      const now = clock.now();
      const load = await store.runs.load(now, 60_000);
      const admission = admitRun(
        incident.cluster,
        {
          running: load.running,
          runningInCluster: load.runningByCluster[incident.cluster] ?? 0,
          recentStarts: load.recentStarts,
        },
        await currentBreaker(load.running),
        now,
        settings.caps,
        settings.breaker,
      );
      if (!admission.admit) {
        await store.queue.release(item.id, owner, admission.retryAt, admission.message);
        if (item.waitReason !== admission.message) {
          await deps.bus
            .publish(subjects.incidentUpdated(incident.id), {
              incidentId: incident.id,
              type: 'triage.waiting',
              reason: admission.reason,
              message: admission.message,
              at: now,
            })
            .catch(() => undefined);
        }
        return undefined;
      }
      const counted = previous.filter(
        (run) => !(run.failure && neutralFailureReasons.includes(run.failure.reason)),
      );
      const allowance = allowRun(incident.severity, counted.length, settings.budgets);
      const agent = typeof item.payload.agent === 'string' ? item.payload.agent : settings.defaultAgent;
      const run: TriageRun = {
        id: asRunId(deps.ids.newId()),
        incidentId: incident.id,
        purpose: requestedPurpose(item.payload.purpose),
        ...(typeof item.payload.question === 'string' && { question: item.payload.question }),
        agent,
        runner: launcher.runnerFor?.(agent) ?? launcher.runner,
        cluster: incident.cluster,
        status: 'starting',
        attempt: previous.length + 1,
        createdAt: now,
        startedAt: now,
        owner,
      };
      await store.runs.create(run);
      const started = await lifecycle.apply(
        incident.id,
        event('triage.started', { runId: run.id }),
        `run ${run.attempt} started`,
      );
      if (!started.ok) {
        await store.runs.update(run.id, {
          status: 'cancelled',
          finishedAt: now,
          failure: { reason: 'cancelled', detail: started.error.message },
        });
        await store.queue.complete(item.id, owner);
        return undefined;
      }
      // Whoever may still be running an older run of this incident (a replica cut off from the database for a
      // while) hears that this one replaces it.
      for (const stale of stales)
        await runControl.request(stale.id, { kind: 'superseded', runId: run.id }).catch(() => undefined);
      return { run, incident: started.incident, allowance };
    });
    if (!admitted) return;
    const { run, allowance } = admitted;
    if (!allowance.ok) {
      await finish(run, { ok: false, failure: { reason: 'budget_spent', detail: allowance.message } }, item);
      return;
    }
    execute(run, admitted.incident, item, 'launch');
  }

  /**
   * At shutdown a Job run keeps running: this process stops following it and hands its claim back at once, so
   * the next replica re-attaches to it and follows its progress from the stream where it left off.
   */
  async function letGo(entry: InFlight): Promise<void> {
    entry.detached = true;
    entry.releaseLease();
    entry.held.release();
    await store.queue
      .release(entry.item.id, owner, clock.now(), 'Watchkeeper stopped; its Job run is re-attached')
      .catch((error: unknown) =>
        logger.warn({ err: error, runId: entry.run.id }, 'could not hand back a claim; it expires by itself'),
      );
    logger.info(
      { runId: entry.run.id, job: entry.sandbox },
      `left Job run ${entry.run.id} running for the next Watchkeeper to re-attach`,
    );
  }

  async function tick(): Promise<number> {
    if (stopping) return 0;
    const now = clock.now();
    const items = await store.queue.claim({
      kinds: [triageWorkKind],
      owner,
      now,
      leaseMs: settings.leaseMs,
      limit: Math.max(1, settings.caps.maxConcurrentRuns),
    });
    for (const item of items) {
      try {
        await handle(item);
      } catch (error) {
        logger.error({ err: error, item: item.key }, 'could not schedule a triage; it will be retried');
        await store.queue
          .release(item.id, owner, new Date(now.getTime() + 5_000), 'retrying after an error')
          .catch(() => undefined);
      }
    }
    await lifecycle.publishPending().catch(() => 0);
    return items.length;
  }

  /** One pass at a time: a slow pass is never overlapped by the next. */
  const tickOnce = (): Promise<number> => {
    ticking ??= tick().finally(() => {
      ticking = undefined;
    });
    return ticking;
  };

  return {
    tick: tickOnce,
    start() {
      if (timer) return;
      stopping = false;
      const loop = () => {
        void tickOnce()
          .catch((error: unknown) => logger.error({ err: error }, 'scheduler pass failed'))
          .finally(() => {
            if (!stopping) timer = setTimeout(loop, deps.pollMs ?? 500);
          });
      };
      loop();
    },
    async stop(options = {}) {
      stopping = true;
      if (timer) clearTimeout(timer);
      await ticking;
      if (options.abandon)
        await Promise.all(
          [...running.values()].map((entry) =>
            entry.sandbox?.kind === 'kubernetes-job'
              ? letGo(entry)
              : runControl.cancel(entry.run.id, { kind: 'shutdown' }),
          ),
        );
      await Promise.all([...running.values()].filter((r) => !r.detached).map((r) => r.done));
      runControl.stop();
    },
    inFlight: () => running.size,
  };
}

interface InFlight {
  readonly run: TriageRun;
  readonly item: WorkItem;
  readonly held: HeldRun;
  sandbox: SandboxRef | undefined;
  /** Another process holds the claim now: it records how the run ended. */
  leaseLost: boolean;
  /** Let go at shutdown (a Job left running for re-attach): its result is not this process's to record. */
  detached: boolean;
  releaseLease: () => void;
  done: Promise<void>;
}

function requestedPurpose(value: unknown): TriageRun['purpose'] {
  return value === 'second_opinion' || value === 'follow_up' ? value : 'triage';
}
