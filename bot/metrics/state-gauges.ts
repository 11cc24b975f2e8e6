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
/** A store that does not answer must not hold the scrape (Prometheus gives up after 10 s by default). */
const readTimeoutMs = 3_000;
const openStatuses = incidentStatuses.filter((status) => status !== 'resolved' && status !== 'closed');

export interface StateGaugeSources {
  readonly store: Store;
  readonly clock: Clock;
  readonly breaker: BreakerSettings;
  readonly listeners: () => readonly ListenerState[];
  readonly logger: Logger;
}

/**
 * One reading shared by the gauges it feeds: prom-client collects every metric of a scrape at once, so the first
 * gauge starts the reading and the others await the same one.
 */
function perScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () =>
    (inFlight ??= read().finally(() => {
      inFlight = undefined;
    }));
}

export function registerStateGauges(registry: Registry, sources: StateGaugeSources): void {
  const { store, clock, logger } = sources;

  /** A gauge filled at scrape time; when its reading fails it has no samples rather than stale ones. */
  const gauge = (
    options: { name: string; help: string; labelNames?: string[] },
    what: string,
    fill: (gauge: Gauge) => Promise<void> | void,
  ): Gauge => {
    const made: Gauge = new Gauge({
      ...options,
      registers: [registry],
      async collect() {
        made.reset();
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer in ${readTimeoutMs} ms`)), readTimeoutMs);
          });
          await Promise.race([fill(made), timeout]);
        } catch (error) {
          made.reset();
          logger.warn(
            { err: error },
            `metrics: could not read ${what}; ${options.name} is empty for this scrape`,
          );
        } finally {
          clearTimeout(timer);
        }
      },
    });
    return made;
  };

  gauge(
    {
      name: 'watchkeeper_open_incidents',
      help: 'Incidents not yet resolved or closed, by lifecycle state',
      labelNames: ['state'],
    },
    'incidents by state',
    async (incidents) => {
      const counts = await store.incidents.countOpenByStatus();
      for (const state of openStatuses) incidents.set({ state }, counts[state] ?? 0);
    },
  );

  const waiting = perScrape(async () => {
    const now = clock.now();
    return { now, work: await store.queue.waiting(now) };
  });
  gauge(
    {
      name: 'watchkeeper_work_queue_depth',
      help: 'Work items waiting (not held by a live claim), by kind of work',
      labelNames: ['kind'],
    },
    'the work queue',
    async (depth) => {
      for (const work of (await waiting()).work) depth.set({ kind: work.kind }, work.count);
    },
  );
  gauge(
    {
      name: 'watchkeeper_work_queue_oldest_age_seconds',
      help: 'Age of the oldest waiting work item, by kind of work',
      labelNames: ['kind'],
    },
    'the work queue',
    async (oldest) => {
      const { now, work } = await waiting();
      for (const kind of work)
        oldest.set({ kind: kind.kind }, Math.max(0, now.getTime() - kind.oldestEnqueuedAt.getTime()) / 1000);
    },
  );

  const breaker = perScrape(() => currentBreaker(store, clock, sources.breaker));
  gauge(
    {
      name: 'watchkeeper_triage_breaker_state',
      help: 'The triage run circuit breaker: 1 for its current state (closed, open or probing), 0 for the others',
      labelNames: ['state'],
    },
    'the run breaker',
    async (state) => {
      const current = await breaker();
      for (const name of breakerStates) state.set({ state: name }, current.state === name ? 1 : 0);
    },
  );
  gauge(
    {
      name: 'watchkeeper_triage_breaker_consecutive_failures',
      help: 'Triage runs that failed in a row, neutral failures left out (the breaker opens at its threshold)',
    },
    'the run breaker',
    async (failures) => {
      failures.set((await breaker()).consecutiveFailures);
    },
  );

  gauge(
    {
      name: 'watchkeeper_mcp_listener_connected',
      help: 'Whether Watchkeeper holds a live session with the MCP server (1) or not (0)',
      labelNames: ['server'],
    },
    'the MCP listeners',
    (connected) => {
      for (const server of sources.listeners())
        connected.set({ server: server.name }, server.status === 'connected' ? 1 : 0);
    },
  );
  gauge(
    {
      name: 'watchkeeper_mcp_listener_state',
      help: "Each MCP listener's state: 1 for its current one (connecting, connected, waiting, stopped, misconfigured)",
      labelNames: ['server', 'state'],
    },
    'the MCP listeners',
    (state) => {
      for (const server of sources.listeners()) {
        const states = listenerStatuses.includes(server.status)
          ? listenerStatuses
          : [...listenerStatuses, server.status];
        for (const name of states)
          state.set({ server: server.name, state: name }, server.status === name ? 1 : 0);
      }
    },
  );
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
