/** Starts the Slack control plane when a bot token is configured: the Bolt app and the incident threads. */
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { FaultIntake } from '../../core/services/fault-intake.ts';
import type { LifecycleService } from '../../core/services/lifecycle-service.ts';
import { LogLevel, WebClient } from '@slack/web-api';
import { ConfigError, InfraError } from '../../core/domain/errors.ts';
import type { Config, SlackConfig } from '../config/config.ts';
import type { HttpServer } from '../http/http-server.ts';
import { slackStartupRetries } from '../../core/domain/retry-policies.ts';
import { isRetryable } from '../../core/services/retry.ts';
import { createCoalescer } from '../slack/coalescer.ts';
import { classifySlackError, slackHint, slackRefusal } from '../slack/slack-errors.ts';
import { createIncidentActions } from '../slack/incident-actions.ts';
import { startIncidentThreads, type IncidentThreads } from '../slack/incident-threads.ts';
import { createViewLoader } from '../slack/load-views.ts';
import { createSendQueue } from '../slack/send-queue.ts';
import { createProgressStreams } from '../slack/progress-stream.ts';
import { createSlackApp, slackEventsPath } from '../slack/slack-app.ts';
import { createSlackWriter } from '../slack/slack-writer.ts';
import { meteredSlackFetch } from '../slack/metered-fetch.ts';
import { runsLocally } from './triage.ts';
import { uuidV7Gen } from './uuid-v7.ts';
import type { IncidentId } from '../../core/domain/ids.ts';
import type { RemediationService } from '../../core/services/remediation-service.ts';
import { approversFor } from '../config/remediation-schema.ts';
import type { Authorizer } from '../slack/authorize.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface SlackControl {
  readonly threads: IncidentThreads;
  stop(): Promise<void>;
}

const deliveryMemoryMs = 24 * 3_600_000;

class SlackUnreachableError extends InfraError {
  readonly code = 'slack_unreachable';
}

export interface SlackIdentity {
  readonly team?: string;
  readonly teamId?: string;
  readonly user?: string;
}

/** Asks Slack who the bot token belongs to, before any state is written: a refused token is a config error. */
export async function checkSlackToken(slack: SlackConfig, metrics?: Metrics): Promise<SlackIdentity> {
  const client = new WebClient(slack.botToken.reveal(), {
    ...(slack.apiUrl !== undefined && { slackApiUrl: slack.apiUrl }),
    ...(metrics && { fetch: meteredSlackFetch(metrics) }),
    retryConfig: { ...slackStartupRetries },
    logLevel: LogLevel.ERROR,
  });
  const answer = await client.auth.test().catch((error: unknown) => {
    const refused = slackRefusal(error);
    if (refused !== undefined)
      throw new ConfigError(
        'WATCHKEEPER_SLACK_BOT_TOKEN',
        `Slack refused the bot token (${refused}); ${slackHint(refused) ?? slackHint('invalid_auth') ?? ''}`,
        { cause: error },
      );
    throw new SlackUnreachableError(
      `cannot reach Slack (${(error as Error).message}); check the network or slack.apiUrl`,
      { cause: error },
    );
  });
  return {
    ...(answer.team !== undefined && { team: answer.team }),
    ...(answer.team_id !== undefined && { teamId: answer.team_id }),
    ...(answer.user !== undefined && { user: answer.user }),
  };
}

export async function startSlack(
  config: Config & { readonly slack: SlackConfig },
  identity: SlackIdentity,
  deps: {
    readonly store: Store;
    readonly bus: Bus;
    readonly reports: ReportStore;
    readonly lifecycle: LifecycleService;
    readonly intake: FaultIntake;
    readonly http: HttpServer;
    readonly remediation: RemediationService | undefined;
    readonly metrics?: Metrics;
  },
  logger: Logger,
): Promise<SlackControl> {
  const slack = config.slack;
  const agents = Object.keys(config.agents.profiles);
  const { remediation } = deps;
  // approvers are checked with the same user-group lookup as slack.access (its client comes with the app)
  const late: { threads?: IncidentThreads; authorizer?: Authorizer } = {};
  const actions = createIncidentActions({
    store: deps.store,
    lifecycle: deps.lifecycle,
    intake: deps.intake,
    ids: uuidV7Gen,
    cluster: config.cluster,
    agents,
    defaultAgent: config.incidents.defaultAgent,
    ...(remediation && {
      remediation: {
        service: remediation,
        isApprover: (userId: string, cluster: string) =>
          late.authorizer?.isAmong(userId, approversFor(config.remediation, cluster)) ??
          Promise.resolve(false),
      },
    }),
  });
  const app = createSlackApp({
    slack,
    actions,
    threads: () => {
      if (!late.threads) throw new WatchkeeperError('internal', 'Slack threads are not started yet');
      return late.threads;
    },
    chat: deps.store.chat,
    logger,
    ...(deps.metrics && { metrics: deps.metrics }),
  });
  late.authorizer = app.authorizer;
  const onWriteError = (key: string, error: unknown, willRetry: boolean) => {
    const refused = slackRefusal(error);
    const hint = refused === undefined ? undefined : slackHint(refused);
    const because = hint === undefined ? '' : `: ${hint}`;
    // a refusal a person must fix is a warning at once; a passing outage only when it is given up
    if (willRetry) logger.info({ err: error, message: key }, 'could not update a Slack message; retrying');
    else if (refused !== undefined)
      logger.warn({ err: error, message: key }, `Slack refused a message (${refused})${because}`);
    else logger.warn({ err: error, message: key }, 'gave up updating a Slack message');
  };
  // The Web API client retries rate limits itself but not an HTTP 5xx or a lost connection (it throws those at
  // once), so the coalescer retries those, and what failed on our side; never a refusal.
  const notFromSlack = (error: unknown) => {
    const failure = classifySlackError(error);
    if (failure === undefined) return isRetryable(error);
    return (failure.kind === 'http' && failure.status >= 500) || failure.kind === 'unreachable';
  };
  const coalescer = createCoalescer({
    minIntervalMs: slack.progress.minUpdateIntervalMs,
    retryable: notFromSlack,
    onError: onWriteError,
  });
  const cardCoalescer = createCoalescer({
    minIntervalMs: Math.max(3_000, slack.progress.minUpdateIntervalMs),
    retryable: notFromSlack,
    onError: onWriteError,
  });
  const queue = createSendQueue({ callsPerMinutePerIncident: slack.callsPerMinutePerIncident });
  const threads = startIncidentThreads({
    store: deps.store,
    bus: deps.bus,
    writer: createSlackWriter({ client: app.client, chat: deps.store.chat, queue }),
    streams: createProgressStreams({
      enabled: slack.progress.streaming,
      client: app.client,
      chat: deps.store.chat,
      queue,
      teamId: identity.teamId,
      logger,
    }),
    views: createViewLoader({
      store: deps.store,
      reports: deps.reports,
      linkTtlSeconds: config.reports.linkTtlSeconds,
      agents,
      remediation: remediation !== undefined,
      unsandboxed: config.agents.localSandbox.kind === 'none' && runsLocally(config),
      now: () => new Date(),
    }),
    coalescer,
    cardCoalescer,
    slack,
    ...(remediation &&
      config.remediation.autoPropose && {
        onReported: (incidentId: IncidentId) => {
          // the proposal is posted when its lifecycle transition arrives; a report without actions proposes nothing
          void remediation
            .propose(incidentId, { type: 'system', component: 'remediation' })
            .catch((error: unknown) =>
              logger.warn({ err: error, incidentId }, 'could not propose remediation'),
            );
        },
      }),
    logger,
    ...(deps.metrics && { metrics: deps.metrics }),
  });
  if (slack.mode === 'http') deps.http.use((req, res) => app.handle(req, res));
  late.threads = threads;
  await app.start();
  void threads
    .catchUp()
    .catch((error: unknown) => logger.warn({ err: error }, 'could not bring Slack threads up to date'));
  const prune = setInterval(() => {
    void deps.store.chat.pruneDeliveries(new Date(Date.now() - deliveryMemoryMs)).catch(() => 0);
  }, 3_600_000);
  prune.unref();
  logger.info(
    { team: identity.team, bot: identity.user, mode: slack.mode },
    slack.mode === 'http'
      ? `Slack: ${identity.team ?? 'workspace'} as @${identity.user ?? 'bot'}; requests at ${config.server.publicUrl ?? deps.http.url}${slackEventsPath}`
      : `Slack: ${identity.team ?? 'workspace'} as @${identity.user ?? 'bot'} over Socket Mode`,
  );
  return {
    threads,
    async stop() {
      clearInterval(prune);
      await app.stop();
      await threads.stop();
    },
  };
}
