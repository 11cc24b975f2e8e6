import type { IncidentSettings } from '../../core/services/incident-settings.ts';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { ConfigFile } from './schema.ts';
import type { WatcherFile } from './watcher-schema.ts';
import type { Secret } from './secret.ts';
import type { SlackFile } from './slack-schema.ts';
import type { RemediationConfig } from './remediation-schema.ts';

/** The effective configuration: the validated file plus secrets from the environment, paths resolved. */
export interface Config {
  readonly source: string;
  readonly cluster: string;
  readonly stateDir: string;
  readonly server: { readonly host: string; readonly port: number; readonly publicUrl: string | undefined };
  readonly database:
    | { readonly kind: 'pglite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: Secret; readonly maxConnections: number };
  readonly bus:
    | { readonly kind: 'memory' }
    | {
        readonly kind: 'nats';
        readonly url: Secret;
        readonly token: Secret | undefined;
        /** Watchkeeper's own `.creds` (operator mode). */
        readonly creds: Secret | undefined;
        /** Minting per-run credentials for Job runs (runners/bus/run-credentials.ts); unset: none. */
        readonly runCredentials:
          | {
              readonly account: string;
              readonly signingKey: Secret;
              readonly expiryMarginMs: number;
              readonly podServers: readonly string[];
            }
          | undefined;
      };
  readonly reports: {
    readonly linkTtlSeconds: number;
    readonly store:
      | { readonly kind: 'folder'; readonly path: string; readonly signingKey: Secret | undefined }
      | {
          readonly kind: 's3';
          readonly bucket: string;
          readonly prefix: string;
          readonly region: string;
          readonly endpoint: string | undefined;
          readonly forcePathStyle: boolean;
          readonly credentials:
            { readonly accessKeyId: string; readonly secretAccessKey: Secret } | undefined;
        };
  };
  readonly incidents: IncidentSettings;
  readonly watcher: WatcherFile;
  readonly agents: {
    readonly default: string | undefined;
    readonly workDir: string;
    readonly credentials: { readonly namespace: string; readonly serviceAccount: string };
    readonly jobsNamespace: string;
    readonly kubernetesMcpServer: string;
    /** How local runs are contained (`agents.localSandbox`). */
    readonly localSandbox:
      | {
          readonly kind: 'bubblewrap';
          readonly uid: number;
          readonly gid: number;
          readonly network: 'host' | 'none';
          readonly readOnlyPaths: readonly string[];
        }
      | { readonly kind: 'none' };
    readonly profiles: Readonly<Record<string, AgentProfile>>;
  };
  readonly mcpServers: readonly {
    readonly name: string;
    readonly url: string | undefined;
    readonly stdio: { readonly command: string; readonly args: readonly string[] } | undefined;
    readonly token: Secret | undefined;
    readonly cluster: string | undefined;
    readonly mechanism: 'auto' | 'logging' | 'resources';
    readonly pingSeconds: number;
    /** Unset: decided when the server is known (see mcp-schema.ts). */
    readonly faultTtlMinutes: number | undefined;
  }[];
  /** Bearer token for the webhook endpoints; they are off without one. */
  readonly webhookToken: Secret | undefined;
  readonly remediation: RemediationConfig;
  /** Present when WATCHKEEPER_SLACK_BOT_TOKEN is set. */
  readonly slack: SlackConfig | undefined;
  readonly log: ConfigFile['log'];
}

export type SlackConfig = Omit<SlackFile, 'defaultChannel'> & {
  readonly defaultChannel: string;
  readonly botToken: Secret;
  /** Socket Mode's app-level token. */
  readonly appToken: Secret | undefined;
  /** HTTP mode's signing secret. */
  readonly signingSecret: Secret | undefined;
};
