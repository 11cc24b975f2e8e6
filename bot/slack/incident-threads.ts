/**
 * Keeps each incident's Slack thread current: the card (the thread's parent) is posted once and edited on every
 * lifecycle change and folded fault; each run gets one progress reply edited as its events arrive, and its
 * outcome (report, failure, second-opinion comparison) is posted once. Everything is keyed and recorded, so
 * redelivered events and restarts edit the same messages instead of posting new ones.
 */
import { randomUUID } from 'node:crypto';
import { asIncidentId, asRunId, type IncidentId, type RunId } from '../../core/domain/ids.ts';
import type { Incident, ThreadRef } from '../../core/domain/incident.ts';
import { isOpen } from '../../core/domain/incident-state.ts';
import { compareConclusions } from '../../core/domain/policies/compare-conclusions.ts';
import { ProgressEventSchema } from '../../core/domain/progress.ts';
import { transcriptKey } from '../../core/domain/report.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Store } from '../../core/ports/store.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { retryPolicies } from '../../core/domain/retry-policies.ts';
import { withRetry, type RetryAttempt } from '../../core/services/retry.ts';
import type { SlackConfig } from '../config/config.ts';
import type { Coalescer } from './coalescer.ts';
import type { ProgressStreams } from './progress-stream.ts';
import type { ViewLoader } from './load-views.ts';
import { renderIncidentCard } from './render/incident-card.ts';
import { renderProgress } from './render/progress-timeline.ts';
import { renderRemediation } from './render/remediation-message.ts';
import { renderComparison, renderFailedRun, renderSucceededRun } from './render/run-outcome.ts';
import { routeChannel } from './route-channel.ts';
import type { SlackWriter } from './slack-writer.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface IncidentThreads {
  /** Posts (or finds) the incident's thread; the parent is its card. */
  ensureThread(incidentId: IncidentId): Promise<ThreadRef | undefined>;
  /** Edits the card soon (coalesced). */
  refreshCard(incidentId: IncidentId): void;
  /** Posts or edits the incident's remediation requests. */
  refreshRemediations(incidentId: IncidentId): void;
  /** A reply saying who did what (mrkdwn the caller built), through the channel's send queue. */
  postNote(incidentId: IncidentId, text: string): Promise<void>;
  /** Brings every open incident's messages up to date (after a start or a bus outage). */
  catchUp(): Promise<void>;
  /** Resolves when every requested write has been made. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const drainMs = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export const cardKey = (incidentId: string) => `incident:${incidentId}:card`;
const progressKey = (runId: string) => `run:${runId}:progress`;
const outcomeKey = (runId: string) => `run:${runId}:outcome`;
const comparisonKey = (runId: string) => `run:${runId}:comparison`;

export function startIncidentThreads(deps: {
  readonly store: Store;
  readonly bus: Bus;
  readonly writer: SlackWriter;
  readonly views: ViewLoader;
  /** Paces progress edits and outcome posts. */
  readonly coalescer: Coalescer;
  /** Paces card edits (slower: a fault storm folds many faults into one card). */
  readonly cardCoalescer: Coalescer;
  readonly slack: Pick<SlackConfig, 'routes' | 'defaultChannel' | 'progress' | 'consumerName'>;
  readonly streams: ProgressStreams;
  /** Called once per triage report posted (to propose its remediation). */
  readonly onReported?: (incidentId: IncidentId) => void;
  readonly logger: Logger;
  readonly metrics?: Metrics;
}): IncidentThreads {
  const { store, bus, writer, views, coalescer, cardCoalescer, logger } = deps;
  const controller = new AbortController();
  const waiting = new Map<string, string>();
  const threadsInFlight = new Map<string, Promise<ThreadRef | undefined>>();
  const runIncidents = new Map<string, IncidentId>();
  const requesters = new Map<string, string | undefined>();

  async function ensureThread(incidentId: IncidentId): Promise<ThreadRef | undefined> {
    const pending = threadsInFlight.get(incidentId);
    if (pending) return pending;
    const work = (async () => {
      const incident = await store.incidents.get(incidentId);
      if (!incident) return undefined;
      if (incident.thread) return incident.thread;
      const channel = routeChannel(incident, await views.faultClass(incident), deps.slack);
      const card = renderIncidentCard(await views.card(incident, waiting.get(incidentId)));
      const thread = await writer.put(cardKey(incidentId), { channel, incidentId }, card, { edit: false });
      await store.incidents.setThread(incidentId, thread);
      deps.metrics?.firstSlackPost(Date.now() - incident.createdAt.getTime());
      return thread;
    })().finally(() => threadsInFlight.delete(incidentId));
    threadsInFlight.set(incidentId, work);
    return work;
  }

  function refreshCard(incidentId: IncidentId): void {
    cardCoalescer.request(cardKey(incidentId), async () => {
      const thread = await ensureThread(incidentId);
      const incident = await store.incidents.get(incidentId);
      if (!thread || !incident) return;
      const card = renderIncidentCard(await views.card(incident, waiting.get(incidentId)));
      await writer.put(cardKey(incidentId), { channel: thread.channel, incidentId }, card);
    });
  }

  function refreshProgress(runId: RunId): void {
    coalescer.request(progressKey(runId), async () => {
      const run = await store.runs.get(runId);
      if (!run) return;
      const thread = await ensureThread(run.incidentId);
      if (!thread) return;
      const events = await store.progress.list(runId);
      const message = renderProgress(run, events, { maxLines: deps.slack.progress.maxLines });
      const streamed = await deps.streams.show({
        run,
        events,
        thread,
        recipient: await requesterOf(run),
        timeline: message,
        key: progressKey(runId),
      });
      if (streamed) return;
      await writer.put(
        progressKey(runId),
        { channel: thread.channel, threadTs: thread.ts, incidentId: run.incidentId },
        message,
        { routine: true },
      );
    });
  }

  function refreshRemediations(incidentId: IncidentId): void {
    coalescer.request(`incident:${incidentId}:remediation`, async () => {
      const thread = await ensureThread(incidentId);
      if (!thread) return;
      for (const request of await store.remediation.listByIncident(incidentId))
        await writer.put(
          `remediation:${request.id}`,
          { channel: thread.channel, threadTs: thread.ts, incidentId },
          renderRemediation(request, new Date()),
        );
    });
  }

  /** Posts the outcome of every finished run of the incident that has none yet (retried until it is). */
  function postOutcomes(incidentId: IncidentId): void {
    coalescer.request(`incident:${incidentId}:outcomes`, async () => {
      const thread = await ensureThread(incidentId);
      if (!thread) return;
      const runs = await views.runs(incidentId);
      for (const run of runs) {
        if (run.status !== 'succeeded' && run.status !== 'failed') continue;
        if (await writer.posted(outcomeKey(run.id))) continue;
        refreshProgress(run.id);
        await postOutcome(run, runs, thread);
      }
    });
  }

  async function postOutcome(run: TriageRun, runs: readonly TriageRun[], thread: ThreadRef): Promise<void> {
    const target = { channel: thread.channel, threadTs: thread.ts, incidentId: run.incidentId };
    const found = run.status === 'succeeded' ? await views.report(run.id) : undefined;
    if (!found) {
      const transcript = await views.link(transcriptKey(run.incidentId, run.id));
      await writer.put(outcomeKey(run.id), target, renderFailedRun(run, transcript), { edit: false });
      return;
    }
    await writer.put(
      outcomeKey(run.id),
      target,
      renderSucceededRun({
        run,
        card: found.report.card,
        ...(found.cardMarkdown && { cardMarkdown: found.cardMarkdown }),
        ...(found.url && { reportUrl: found.url }),
      }),
      { edit: false },
    );
    if (run.purpose === 'triage' || run.purpose === 'second_opinion') deps.onReported?.(run.incidentId);
    if (run.purpose !== 'second_opinion') return;
    const earlier = runs.filter(
      (other) =>
        other.status === 'succeeded' &&
        other.purpose === 'triage' &&
        other.createdAt.getTime() < run.createdAt.getTime(),
    );
    const first = earlier.at(-1);
    const firstReport = first && (await store.reports.getByRun(first.id));
    if (!first || !firstReport) return;
    const comparison = compareConclusions(firstReport.card, found.report.card);
    await writer.put(
      comparisonKey(run.id),
      target,
      renderComparison({ run: first, card: firstReport.card }, { run, card: found.report.card }, comparison),
      { edit: false },
    );
  }

  /** The Slack user who asked for the run (a rerun, second opinion, follow-up, /triage), if a person did. */
  async function requesterOf(run: TriageRun): Promise<string | undefined> {
    if (requesters.has(run.id)) return requesters.get(run.id);
    const asked = (await store.incidents.history(run.incidentId))
      .filter((t) => t.event === 'triage.requested' && t.at.getTime() <= run.createdAt.getTime())
      .at(-1);
    const user = asked?.actor.type === 'slack-user' ? asked.actor.userId : undefined;
    if (requesters.size > 10_000) requesters.clear();
    requesters.set(run.id, user);
    return user;
  }

  async function incidentOfRun(runId: RunId): Promise<IncidentId | undefined> {
    const known = runIncidents.get(runId);
    if (known) return known;
    const run = await store.runs.get(runId);
    if (run) {
      if (runIncidents.size > 10_000) runIncidents.clear();
      runIncidents.set(runId, run.incidentId);
    }
    return run?.incidentId;
  }

  async function consume(
    filter: string,
    durable: string,
    handle: (data: unknown) => Promise<void> | void,
  ): Promise<void> {
    const signal = controller.signal;
    const follow = async (attempt: RetryAttempt) => {
      for await (const message of bus.subscribe(filter, { from: 'new', durable, signal })) {
        attempt.reset();
        try {
          await handle(message.data);
        } catch (error) {
          logger.warn({ err: error, subject: message.subject }, 'could not show a change in Slack');
        }
      }
      if (!signal.aborted)
        throw new WatchkeeperError('subscription_ended', `the bus ended the subscription to ${filter}`);
    };
    await withRetry(follow, retryPolicies.busResubscribe, {
      what: `Slack's bus subscription to ${filter}`,
      signal,
      logger,
      retryable: () => true, // Slack must follow the bus for as long as it runs, whatever ended the subscription
    }).catch((error: unknown) => {
      if (!signal.aborted) throw error;
    });
  }

  const onLifecycle = (data: unknown) => {
    const record = data as { incidentId?: unknown; event?: unknown };
    if (typeof record.incidentId !== 'string') return;
    const incidentId = asIncidentId(record.incidentId);
    if (record.event !== 'triage.requested') waiting.delete(incidentId);
    // not awaited: the consumer acknowledges at once; a write lost to a crash is redone by catchUp()
    refreshCard(incidentId);
    if (record.event === 'triage.succeeded' || record.event === 'triage.failed') postOutcomes(incidentId);
    if (typeof record.event === 'string' && record.event.startsWith('remediation.'))
      refreshRemediations(incidentId);
  };

  const onUpdate = (data: unknown) => {
    const update = data as { incidentId?: unknown; type?: unknown; message?: unknown; runId?: unknown };
    if (typeof update.incidentId !== 'string') return;
    const incidentId = asIncidentId(update.incidentId);
    if (update.type === 'triage.waiting' && typeof update.message === 'string')
      waiting.set(incidentId, update.message);
    if (update.type === 'run.cancelled' && typeof update.runId === 'string')
      refreshProgress(asRunId(update.runId));
    refreshCard(incidentId);
  };

  const onProgress = async (data: unknown) => {
    const parsed = ProgressEventSchema.safeParse(data);
    if (!parsed.success) return;
    const runId = asRunId(parsed.data.runId);
    const incidentId = await incidentOfRun(runId);
    if (!incidentId) return;
    refreshProgress(runId);
    if (parsed.data.type === 'run.started') refreshCard(incidentId);
  };

  const consumers = [
    consume(subjects.allIncidentLifecycle, `${deps.slack.consumerName}-lifecycle`, onLifecycle),
    consume(subjects.allRunProgress, `${deps.slack.consumerName}-progress`, onProgress),
    consume(subjects.allIncidentUpdates, `${deps.slack.consumerName}-updates`, onUpdate),
  ];

  async function catchUp(): Promise<void> {
    const open = (await store.incidents.list({ limit: 500 })).filter((incident: Incident) =>
      isOpen(incident.state),
    );
    for (const incident of open) {
      await ensureThread(incident.id);
      refreshCard(incident.id);
      for (const run of await views.runs(incident.id))
        if (
          run.status === 'running' ||
          run.status === 'starting' ||
          (await writer.posted(progressKey(run.id)))
        )
          refreshProgress(run.id);
      postOutcomes(incident.id);
      refreshRemediations(incident.id);
    }
  }

  return {
    ensureThread,
    refreshCard,
    refreshRemediations,
    async postNote(incidentId, text) {
      const thread = await ensureThread(incidentId);
      if (!thread) return;
      await writer.put(
        `note:${incidentId}:${randomUUID()}`,
        { channel: thread.channel, threadTs: thread.ts, incidentId },
        { text, blocks: [] },
        { edit: false },
      );
    },
    catchUp,
    idle: async () => {
      await Promise.all([coalescer.idle(), cardCoalescer.idle()]);
    },
    /** Stops taking changes, then gives pending writes a few seconds to land before the store closes. */
    async stop() {
      controller.abort();
      await Promise.allSettled(consumers);
      await Promise.race([Promise.all([coalescer.idle(), cardCoalescer.idle()]), sleep(drainMs)]);
      coalescer.stop();
      cardCoalescer.stop();
    },
  };
}
