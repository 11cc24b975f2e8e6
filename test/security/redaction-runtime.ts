/**
 * A whole Watchkeeper for the redaction tests, in this process: real PostgreSQL, NATS JetStream and the S3
 * server, webhooks on, Slack in HTTP mode against the emulator, and the real pino logger at debug level writing
 * into memory, so a test can read every place a secret could end up.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { loadConfig } from '../../bot/config/load-config.ts';
import { createLogger } from '../../bot/log/create-logger.ts';
import { startRuntime, type Runtime } from '../../bot/wiring/runtime.ts';
import { startSlackApiEmulator, type SlackApiEmulator } from '../harness/slack/slack-api-emulator.ts';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

export const webhookToken = 'redaction-webhook-token';

export interface RedactionRuntime {
  readonly runtime: Runtime;
  readonly slack: SlackApiEmulator;
  readonly databaseUrl: string;
  readonly s3Prefix: string;
  /** Every line Watchkeeper logged, as written (JSON, debug level and up). */
  readonly logLines: string[];
  stop(): Promise<void>;
}

export async function startRedactionRuntime(agents: Record<string, unknown>): Promise<RedactionRuntime> {
  const database = await createTestDatabase();
  const s3 = harness('s3');
  const slack = await startSlackApiEmulator();
  const dir = await mkdtemp(join(tmpdir(), 'wk-redaction-'));
  const s3Prefix = `redaction-${randomUUID()}/`;
  const file = {
    cluster: 'harness',
    stateDir: dir,
    server: { port: 0 },
    bus: { kind: 'nats', nats: { url: harness('nats').url } },
    reports: {
      kind: 's3',
      s3: {
        bucket: s3.bucket,
        prefix: s3Prefix,
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
      },
    },
    log: { level: 'debug' },
    agents,
    slack: {
      mode: 'http',
      defaultChannel: 'C0INCIDENTS',
      apiUrl: slack.apiUrl,
      consumerName: `r${randomUUID().slice(0, 8)}`,
    },
  };
  const configFile = join(dir, 'watchkeeper.yaml');
  await writeFile(configFile, stringify(file));
  const env = {
    WATCHKEEPER_DATABASE_URL: database.url,
    WATCHKEEPER_S3_ACCESS_KEY_ID: s3.accessKeyId,
    WATCHKEEPER_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    WATCHKEEPER_SLACK_BOT_TOKEN: slack.token,
    WATCHKEEPER_SLACK_SIGNING_SECRET: 'redaction-signing-secret',
    WATCHKEEPER_WEBHOOK_TOKEN: webhookToken,
  };
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', pretty: false, destination });
  const runtime = await startRuntime(loadConfig({ file: configFile, env }), logger);
  return {
    runtime,
    slack,
    databaseUrl: database.url,
    s3Prefix,
    logLines,
    async stop() {
      await runtime.stop();
      await slack.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
