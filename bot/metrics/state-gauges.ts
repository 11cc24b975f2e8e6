/**
 * Gauges read when Prometheus scrapes, from the store and the running listeners, so every replica reports the
 * same truth and a restart loses nothing: open incidents by state, the work queue, the run breaker and each MCP
 * listener's state. Each reading is one indexed query; a failed one leaves its gauge empty for that scrape.
 */
import { Gauge, type Registry } from 'prom-client';
import { incidentStatuses } from '../../core/domain/incident-state.ts';
import { breakerFromHistory, type BreakerSettings } from '../../core/domain/policies/circuit-breaker.ts';
import { neutralFailureReasons } from '../../core/domain/run.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Store } from '../../core/ports/store.ts';

/** What the MCP supervisor says of each server (the names are configured, so bounded). */
export interface ListenerState {
  readonly name: string;
  readonly status: string;
}

/** Every state an MCP listener can be in, so a state it left reads 0 instead of vanishing. */
const listenerStatuses = ['connecting', 'connected', 'waiting', 'stopped', 'misconfigured'];
const breakerStates = ['closed', 'open', 'probing'] as const;
const openStatuses = incidentStatuses.filter((status) => status !== 'resolved' && status !== 'closed');

export interface StateGaugeSources {
  readonly store: Store;
  readonly clock: Clock;
  readonly breaker: BreakerSettings;
  readonly listeners: () => readonly ListenerState[];
  readonly logger: Logger;
}

export function registerStateGauges(registry: Registry, sources: StateGaugeSources): void {
  const { store, clock, logger } = sources;
  const registers = [registry];

  /** One scrape's reading: when it fails, its gauges have no samples rather than stale ones. */
  const guarded =
    (what: string, reset: () => void, read: () => Promise<void> | void) => async (): Promise<void> => {
      reset();
      try {
        await read();
      } catch (error) {
        reset();
        logger.warn({ err: error }, `metrics: could not read ${what}; its gauges are empty for this scrape`);
      }
    };

  const incidents: Gauge = new Gauge({
    name: 'watchkeeper_open_incidents',
    help: 'Incidents not yet resolved or closed, by lifecycle state',
    labelNames: ['state'],
    registers,
    collect: guarded(
      'incidents by state',
      () => incidents.reset(),
      async () => {
        const counts = await store.incidents.countOpenByStatus();
        for (const state of openStatuses) incidents.set({ state }, counts[state] ?? 0);
      },
    ),
  });

  const depth: Gauge = new Gauge({
    name: 'watchkeeper_work_queue_depth',
    help: 'Work items waiting (not held by a live claim), by kind of work',
    labelNames: ['kind'],
    registers,
  });
  const oldest: Gauge = new Gauge({
    name: 'watchkeeper_work_queue_oldest_age_seconds',
    help: 'Age of the oldest waiting work item, by kind of work',
    labelNames: ['kind'],
    registers,
    collect: guarded(
      'the work queue',
      () => {
        depth.reset();
        oldest.reset();
      },
      async () => {
        const now = clock.now();
        for (const work of await store.queue.waiting(now)) {
          depth.set({ kind: work.kind }, work.count);
          oldest.set(
            { kind: work.kind },
            Math.max(0, now.getTime() - work.oldestEnqueuedAt.getTime()) / 1000,
          );
        }
      },
    ),
  });

  const failures: Gauge = new Gauge({
    name: 'watchkeeper_triage_breaker_consecutive_failures',
    help: 'Triage runs that failed in a row, neutral failures left out (the breaker opens at its threshold)',
    registers,
  });
  const breaker: Gauge = new Gauge({
    name: 'watchkeeper_triage_breaker_state',
    help: 'The triage run circuit breaker: 1 for its current state (closed, open or probing), 0 for the others',
    labelNames: ['state'],
    registers,
    collect: guarded(
      'the run breaker',
      () => {
        breaker.reset();
        failures.reset();
      },
      async () => {
        const state = await currentBreaker(store, clock, sources.breaker);
        for (const name of breakerStates) breaker.set({ state: name }, state.state === name ? 1 : 0);
        failures.set(state.consecutiveFailures);
      },
    ),
  });

  const connected: Gauge = new Gauge({
    name: 'watchkeeper_mcp_listener_connected',
    help: 'Whether Watchkeeper holds a live session with the MCP server (1) or not (0)',
    labelNames: ['server'],
    registers,
  });
  const listenerState: Gauge = new Gauge({
    name: 'watchkeeper_mcp_listener_state',
    help: "Each MCP listener's state: 1 for its current one (connecting, connected, waiting, stopped, misconfigured)",
    labelNames: ['server', 'state'],
    registers,
    collect: guarded(
      'the MCP listeners',
      () => {
        listenerState.reset();
        connected.reset();
      },
      () => {
        for (const server of sources.listeners()) {
          const states = listenerStatuses.includes(server.status)
            ? listenerStatuses
            : [...listenerStatuses, server.status];
          for (const state of states)
            listenerState.set({ server: server.name, state }, server.status === state ? 1 : 0);
          connected.set({ server: server.name }, server.status === 'connected' ? 1 : 0);
        }
      },
    ),
  });
}

/** The breaker as the scheduler derives it: from the stored history, neutral failures left out. */
async function currentBreaker(store: Store, clock: Clock, settings: BreakerSettings) {
  const runs = await store.runs.recentOutcomes(settings.failureThreshold + 20);
  const outcomes = runs
    .filter((run) => !(run.failure && neutralFailureReasons.includes(run.failure.reason)))
    .map((run) => ({ failed: run.status === 'failed', finishedAt: run.finishedAt ?? run.createdAt }));
  const running = (await store.runs.load(clock.now(), 60_000)).running;
  return breakerFromHistory(outcomes, running, settings);
}
