/**
 * The configuration file's schema. Every key is optional: an empty (or absent) file runs the embedded defaults.
 * Secrets never come from the file; they come from the environment variables listed in `secretEnv`.
 */
import { z } from 'zod';
import { IncidentsSchema } from './incidents-schema.ts';
import { AgentsSchema } from './agents-schema.ts';
import { McpSchema } from './mcp-schema.ts';
import { WatcherSchema } from './watcher-schema.ts';
import { SlackSchema } from './slack-schema.ts';
import { RemediationSchema } from './remediation-schema.ts';

const port = z.number().int().min(0).max(65_535);
const nonEmpty = z.string().trim().min(1);

export const ConfigFileSchema = z.strictObject({
  /** The name this Watchkeeper gives the cluster it watches; it tags every fault and incident. */
  cluster: nonEmpty.max(128).default('default'),
  /** Where the embedded database, report folder and keys live. */
  stateDir: nonEmpty.default('./.watchkeeper'),
  server: z
    .strictObject({
      host: nonEmpty.default('127.0.0.1'),
      port: port.default(8787),
      /** The URL people reach this server at; report links from the folder store use it. */
      publicUrl: z.url().optional(),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** PGlite folder, used when WATCHKEEPER_DATABASE_URL is not set. Default: `<stateDir>/db`. */
      path: nonEmpty.optional(),
      maxConnections: z.number().int().min(2).max(100).default(10),
    })
    .prefault({}),
  bus: z
    .strictObject({
      /** `memory` (in-process, embedded default) or `nats` (URL from WATCHKEEPER_NATS_URL or `nats.url`). */
      kind: z.enum(['memory', 'nats']).default('memory'),
      nats: z
        .strictObject({
          url: z
            .string()
            .regex(
              /^(nats|tls):\/\/[^@\s]+$/,
              'a nats:// URL without credentials (put those in WATCHKEEPER_NATS_URL)',
            )
            .optional(),
          /**
           * Watchkeeper's own user `.creds` file, for a server in operator mode (deploy/nats/README.md); or the
           * file's text in WATCHKEEPER_NATS_CREDS.
           */
          credsFile: nonEmpty.optional(),
          /** Per-run credentials for Kubernetes Job runs (operator mode only); unset: Job runs get none. */
          runCredentials: z
            .strictObject({
              /** The public key (`A…`) of the account Watchkeeper's user belongs to. */
              account: z
                .string()
                .regex(/^A[A-Z2-7]{55}$/, 'an account public key: A followed by 55 characters'),
              /**
               * File with a signing key (`SA…` seed) of that account, e.g. a mounted Secret; or the seed itself in
               * WATCHKEEPER_NATS_ACCOUNT_SIGNING_KEY.
               */
              signingKeyFile: nonEmpty.optional(),
              /** How long a run's credential outlives the run's deadline (uploads, exit). */
              expiryMarginSeconds: z.number().int().min(0).max(3_600).default(300),
              /** The NATS URLs agent pods connect to (in-cluster service); default: bus.nats.url. */
              podServers: z
                .array(z.string().regex(/^(nats|tls):\/\/[^@\s]+$/, 'a nats:// URL without credentials'))
                .min(1)
                .optional(),
            })
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  reports: z
    .strictObject({
      /** `folder` (served by Watchkeeper's own HTTP server, embedded default) or `s3`. */
      kind: z.enum(['folder', 's3']).default('folder'),
      folder: z.strictObject({ path: nonEmpty.optional() }).prefault({}),
      s3: z
        .strictObject({
          bucket: z
            .string()
            .regex(
              /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
              'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
            )
            .optional(),
          prefix: z.string().max(512).default('watchkeeper/'),
          region: nonEmpty.default('us-east-1'),
          /** For S3-compatible servers (MinIO, versitygw, Ceph...); AWS needs none. */
          endpoint: z.url().optional(),
          forcePathStyle: z.boolean().default(false),
        })
        .prefault({}),
      /** How long a report link stays valid (SigV4 allows at most 7 days). */
      linkTtlSeconds: z.number().int().min(60).max(604_800).default(604_800),
    })
    .prefault({}),
  incidents: IncidentsSchema,
  watcher: WatcherSchema,
  mcp: McpSchema,
  agents: AgentsSchema,
  slack: SlackSchema,
  remediation: RemediationSchema,
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') })
    .prefault({}),
});

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Secrets read from the environment only, with what each is for. */
export const secretEnv = {
  WATCHKEEPER_DATABASE_URL: 'PostgreSQL URL (postgres://user:password@host:5432/db); unset = embedded PGlite',
  WATCHKEEPER_NATS_URL:
    'NATS URL, may carry credentials (nats://user:password@host:4222); overrides bus.nats.url',
  WATCHKEEPER_NATS_TOKEN: 'NATS auth token, if the server uses token auth',
  WATCHKEEPER_NATS_CREDS:
    "Watchkeeper's NATS user credential (.creds file text), for operator mode; overrides bus.nats.credsFile",
  WATCHKEEPER_NATS_ACCOUNT_SIGNING_KEY:
    'the NATS account signing key seed (SA…) that mints per-run credentials; overrides bus.nats.runCredentials.signingKeyFile',
  WATCHKEEPER_S3_ACCESS_KEY_ID:
    'S3 access key; unset = the AWS SDK default chain (env, profile, IRSA, instance role)',
  WATCHKEEPER_S3_SECRET_ACCESS_KEY: 'S3 secret key, with WATCHKEEPER_S3_ACCESS_KEY_ID',
  WATCHKEEPER_WEBHOOK_TOKEN:
    'bearer token for POST /webhooks/alertmanager and /webhooks/faults; unset = webhooks are off',
  WATCHKEEPER_EMIT_TOKEN: 'bearer token clients must send to `watchkeeper emit` (required by that command)',
  WATCHKEEPER_LINK_SIGNING_KEY:
    'HMAC key for folder report links; unset = generated once into <stateDir>/link-signing.key',
  WATCHKEEPER_SLACK_BOT_TOKEN: 'Slack bot token (xoxb-…); unset = Slack is off',
  WATCHKEEPER_SLACK_APP_TOKEN: 'Slack app-level token (xapp-…, connections:write) for Socket Mode',
  WATCHKEEPER_SLACK_SIGNING_SECRET: "Slack signing secret, for HTTP mode (verifies Slack's requests)",
} as const;
export type SecretEnvName = keyof typeof secretEnv;
