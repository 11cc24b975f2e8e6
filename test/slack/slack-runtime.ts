/**
 * A whole Watchkeeper for Slack tests, in this process: real PostgreSQL, NATS JetStream and the S3 server, the
 * harness cluster when asked, Bolt in HTTP mode behind Watchkeeper's own server, and its Web API calls going to
 * the Slack emulator. `restart()` stops it and starts it again on the same database, bus and emulator.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../bot/config/load-config.ts';
import { slackEventsPath } from '../../bot/slack/slack-app.ts';
import { startRuntime, type Runtime } from '../../bot/wiring/runtime.ts';
import { recordingLogger, type LogLine } from '../fixtures/recording-logger.ts';
import { startSlackApiEmulator, type SlackApiEmulator } from '../harness/slack/slack-api-emulator.ts';
import { signedSlackClient, type SignedSlackClient } from '../harness/slack/signed-client.ts';
import type { HarnessInfo } from '../harness/types.ts';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

export const signingSecret = 'test-signing-secret';
export const incidentsChannel = 'C0INCIDENTS';

export interface SlackRuntime {
  readonly runtime: Runtime;
  readonly slack: SlackApiEmulator;
  readonly client: SignedSlackClient;
  readonly logs: LogLine[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The real services the runtime uses: from the vitest harness, or handed in by a benchmark. */
export interface SlackRuntimeServices {
  readonly database: { readonly url: string; readonly drop: () => Promise<void> };
  readonly natsUrl: string;
  readonly s3: NonNullable<HarnessInfo['s3']>;
}

export async function harnessServices(): Promise<SlackRuntimeServices> {
  return { database: await createTestDatabase(), natsUrl: harness('nats').url, s3: harness('s3') };
}

/** `settings` is merged over the base configuration (agents, watcher, slack routes and access...). */
export async function startSlackRuntime(
  settings: Record<string, unknown>,
  services?: SlackRuntimeServices,
  /** More environment for the runtime (e.g. WATCHKEEPER_WEBHOOK_TOKEN). */
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<SlackRuntime> {
  const { database, natsUrl, s3 } = services ?? (await harnessServices());
  const slack = await startSlackApiEmulator();
  const dir = await mkdtemp(join(tmpdir(), 'wk-slack-'));
  const base = {
    cluster: 'harness',
    stateDir: dir,
    server: { port: 0 },
    bus: { kind: 'nats', nats: { url: natsUrl } },
    reports: {
      kind: 's3',
      s3: {
        bucket: s3.bucket,
        prefix: `slack-${randomUUID()}/`,
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
      },
    },
    log: { level: 'debug' },
  };
  const { slack: slackSettings, ...rest } = settings as { slack?: Record<string, unknown> };
  const file = {
    ...base,
    ...rest,
    slack: {
      mode: 'http',
      defaultChannel: incidentsChannel,
      apiUrl: slack.apiUrl,
      consumerName: `t${randomUUID().slice(0, 8)}`,
      ...slackSettings,
    },
  };
  const configFile = join(dir, 'watchkeeper.yaml');
  await writeFile(configFile, stringify(file));
  const env = {
    WATCHKEEPER_DATABASE_URL: database.url,
    WATCHKEEPER_S3_ACCESS_KEY_ID: s3.accessKeyId,
    WATCHKEEPER_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    WATCHKEEPER_SLACK_BOT_TOKEN: slack.token,
    WATCHKEEPER_SLACK_SIGNING_SECRET: signingSecret,
    WATCHKEEPER_SLACK_APP_TOKEN: slack.appToken,
    SCRIPTED_MODEL_KEY: 'test-key',
    ...extraEnv,
  };
  const logs: LogLine[] = [];
  const start = () => startRuntime(loadConfig({ file: configFile, env }), recordingLogger(logs));
  const fixture = {
    runtime: await start(),
    slack,
    logs,
    get client() {
      return signedSlackClient(`${fixture.runtime.url}${slackEventsPath}`, signingSecret);
    },
    async restart() {
      await fixture.runtime.stop();
      fixture.runtime = await start();
    },
    async stop() {
      await fixture.runtime.stop();
      await slack.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Messages Watchkeeper posted at the top level of a channel (incident cards). */
export function topLevel(slack: SlackApiEmulator, channel = incidentsChannel) {
  return slack.messages.filter((message) => message.channel === channel && message.threadTs === undefined);
}

/** A block_actions payload as Slack sends it when `user` clicks `actionId` on the incident's card. */
export function clickPayload(
  user: string,
  card: { channel: string; ts: string },
  action: { action_id: string; value?: string; selected?: string },
) {
  return {
    type: 'block_actions',
    user: { id: user, username: user, team_id: 'T0001' },
    team: { id: 'T0001', domain: 'emulated' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${randomUUID()}`,
    channel: { id: card.channel, name: 'incidents' },
    container: { type: 'message', message_ts: card.ts, channel_id: card.channel, is_ephemeral: false },
    message: { type: 'message', ts: card.ts, text: 'card' },
    response_url: 'http://127.0.0.1:9/unused',
    actions: [
      action.selected !== undefined
        ? {
            type: 'static_select',
            action_id: action.action_id,
            block_id: 'b',
            selected_option: { text: { type: 'plain_text', text: action.selected }, value: action.selected },
            action_ts: `${Date.now() / 1000}`,
          }
        : {
            type: 'button',
            action_id: action.action_id,
            block_id: 'b',
            value: action.value,
            text: { type: 'plain_text', text: 'x' },
            action_ts: `${Date.now() / 1000}`,
          },
    ],
  };
}
