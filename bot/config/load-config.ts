import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import { toIncidentSettings } from './incidents-schema.ts';
import type { z } from 'zod';
import { ConfigError } from '../../core/domain/errors.ts';
import type { Config } from './config.ts';
import { ConfigFileSchema, secretEnv, type ConfigFile, type SecretEnvName } from './schema.ts';
import { Secret } from './secret.ts';
import { kindDefaults } from '../../core/domain/agent-kinds.ts';

export interface ConfigSources {
  /** `--config`, else WATCHKEEPER_CONFIG, else none (embedded defaults). */
  readonly file?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/** Reads, validates and resolves the configuration; every problem is a ConfigError naming the setting. */
export function loadConfig(sources: ConfigSources): Config {
  const cwd = sources.cwd ?? process.cwd();
  const file = sources.file ?? nonEmpty(sources.env.WATCHKEEPER_CONFIG);
  const raw = file === undefined ? {} : readYaml(resolve(cwd, file));
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw toConfigError(parsed.error, file);
  return resolveConfig(
    parsed.data,
    file === undefined ? 'embedded defaults (no config file)' : resolve(cwd, file),
    sources.env,
    cwd,
  );
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      '--config',
      `cannot read ${path} (${code ?? 'unknown error'}); pass an existing YAML file`,
    );
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const [first] = document.errors;
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    const where = ` at line ${line}, column ${col}`;
    throw new ConfigError(path, `not valid YAML${where}: ${first.message.split('\n')[0] ?? ''}`);
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(path, 'must be a YAML mapping of settings');
  return value;
}

function toConfigError(error: z.ZodError, file: string | undefined): ConfigError {
  const issue = error.issues[0];
  if (!issue) return new ConfigError(file ?? 'config', 'invalid');
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (at ? `${at}.${key}` : key));
    return new ConfigError(
      keys.join(', '),
      `unknown setting${keys.length > 1 ? 's' : ''}; see the configuration reference in README.md`,
    );
  }
  return new ConfigError(at || 'config', issue.message);
}

function resolveConfig(file: ConfigFile, source: string, env: ConfigSources['env'], cwd: string): Config {
  const stateDir = resolve(cwd, file.stateDir);
  const secret = (name: SecretEnvName): Secret | undefined => {
    const value = nonEmpty(env[name]);
    return value === undefined ? undefined : new Secret(value);
  };
  const databaseUrl = secret('WATCHKEEPER_DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl.reveal())) {
    throw new ConfigError('WATCHKEEPER_DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  return {
    source,
    cluster: file.cluster,
    stateDir,
    server: {
      host: file.server.host,
      port: file.server.port,
      publicUrl: file.server.publicUrl?.replace(/\/+$/, ''),
    },
    database: databaseUrl
      ? { kind: 'postgres', url: databaseUrl, maxConnections: file.database.maxConnections }
      : { kind: 'pglite', path: resolve(stateDir, file.database.path ?? 'db') },
    bus: resolveBus(file, secret),
    reports: {
      linkTtlSeconds: file.reports.linkTtlSeconds,
      store:
        file.reports.kind === 'folder'
          ? {
              kind: 'folder',
              path: resolve(stateDir, file.reports.folder.path ?? 'reports'),
              signingKey: secret('WATCHKEEPER_LINK_SIGNING_KEY'),
            }
          : resolveS3(file, secret),
    },
    incidents: {
      ...toIncidentSettings(file.incidents),
      defaultAgent: resolveAgents(file, env, stateDir).default ?? 'default',
    },
    agents: resolveAgents(file, env, stateDir),
    webhookToken: secret('WATCHKEEPER_WEBHOOK_TOKEN'),
    slack: resolveSlack(file, secret),
    remediation: file.remediation,
    mcpServers: file.mcp.servers.map((server, i) => {
      const token = server.tokenEnv === undefined ? undefined : nonEmpty(env[server.tokenEnv]);
      if (server.tokenEnv !== undefined && token === undefined) {
        throw new ConfigError(
          `mcp.servers.${i}.tokenEnv`,
          `the environment variable ${server.tokenEnv} is not set`,
        );
      }
      return {
        name: server.name,
        url: server.url,
        stdio: server.command === undefined ? undefined : { command: server.command, args: server.args },
        token: token === undefined ? undefined : new Secret(token),
        cluster: server.cluster,
        mechanism: server.mechanism,
        pingSeconds: server.pingSeconds,
        faultTtlMinutes: server.faultTtlMinutes,
      };
    }),
    watcher: {
      ...file.watcher,
      ...(file.watcher.kubeconfig !== undefined && { kubeconfig: resolve(cwd, file.watcher.kubeconfig) }),
    },
    log: file.log,
  };
}

function resolveAgents(file: ConfigFile, env: ConfigSources['env'], stateDir: string): Config['agents'] {
  const { agents } = file;
  const names = Object.keys(agents.profiles);
  const fallback = names.length === 1 ? names[0] : undefined;
  const chosen = agents.default ?? fallback;
  if (chosen !== undefined && !names.includes(chosen)) {
    throw new ConfigError(
      'agents.default',
      `no profile named ${chosen}; profiles: ${names.join(', ') || 'none'}`,
    );
  }
  if (chosen === undefined && names.length > 1) {
    throw new ConfigError(
      'agents.default',
      `several profiles (${names.join(', ')}): name the one triage runs use`,
    );
  }
  const profiles = Object.fromEntries(
    Object.entries(agents.profiles).map(([name, profile]) => {
      const secrets = Object.fromEntries(
        profile.secretEnv.map((variable) => {
          const value = nonEmpty(env[variable]);
          if (value === undefined) {
            throw new ConfigError(
              `agents.profiles.${name}.secretEnv`,
              `the environment variable ${variable} is not set`,
            );
          }
          return [variable, new Secret(value)];
        }),
      );
      const defaults = kindDefaults[profile.kind];
      const command = profile.command ?? defaults.command;
      if (command === undefined) {
        throw new ConfigError(`agents.profiles.${name}.command`, 'required for a custom agent profile');
      }
      const apiKeyEnv = profile.apiKeyEnv ?? defaults.apiKeyEnv;
      const apiKey = apiKeyEnv === undefined ? undefined : nonEmpty(env[apiKeyEnv]);
      if (profile.apiKeyEnv !== undefined && apiKey === undefined) {
        throw new ConfigError(
          `agents.profiles.${name}.apiKeyEnv`,
          `the environment variable ${profile.apiKeyEnv} is not set`,
        );
      }
      const resolved: AgentProfile = {
        name,
        kind: profile.kind,
        command,
        args: profile.args,
        env: profile.env,
        secretEnv: secrets,
        skillsPath: profile.skillsPath ?? defaults.skillsPath,
        ...(profile.timeoutMinutes !== undefined && { timeoutMs: profile.timeoutMinutes * 60_000 }),
        runner: profile.runner,
        ...(profile.image !== undefined && { image: profile.image }),
        ...(profile.model !== undefined && { model: profile.model }),
        ...(profile.baseUrl !== undefined && { baseUrl: profile.baseUrl }),
        ...(apiKey !== undefined && { apiKey: new Secret(apiKey) }),
        ...(profile.maxTurns !== undefined && { maxTurns: profile.maxTurns }),
        ...(profile.allowedTools !== undefined && { allowedTools: profile.allowedTools }),
        ...(profile.deniedTools !== undefined && { deniedTools: profile.deniedTools }),
        ...(profile.stream !== undefined && { stream: profile.stream }),
        ...(profile.price !== undefined && { price: profile.price }),
      };
      return [name, resolved];
    }),
  );
  return {
    default: chosen,
    workDir: resolve(stateDir, agents.workDir ?? 'runs'),
    credentials: agents.credentials,
    jobsNamespace: agents.jobs.namespace,
    kubernetesMcpServer: agents.kubernetesMcpServer,
    localSandbox:
      agents.localSandbox === 'none' ? { kind: 'none' } : { kind: 'bubblewrap', ...agents.localSandbox },
    profiles,
  };
}

type SecretReader = (name: SecretEnvName) => Secret | undefined;

function resolveBus(file: ConfigFile, secret: SecretReader): Config['bus'] {
  if (file.bus.kind === 'memory') return { kind: 'memory' };
  const url =
    secret('WATCHKEEPER_NATS_URL') ??
    (file.bus.nats.url === undefined ? undefined : new Secret(file.bus.nats.url));
  if (!url)
    throw new ConfigError('bus.nats.url', 'required when bus.kind is nats (or set WATCHKEEPER_NATS_URL)');
  return { kind: 'nats', url, token: secret('WATCHKEEPER_NATS_TOKEN') };
}

function resolveS3(file: ConfigFile, secret: SecretReader): Config['reports']['store'] {
  const { s3 } = file.reports;
  if (s3.bucket === undefined) throw new ConfigError('reports.s3.bucket', 'required when reports.kind is s3');
  const accessKeyId = secret('WATCHKEEPER_S3_ACCESS_KEY_ID');
  const secretAccessKey = secret('WATCHKEEPER_S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError(
      accessKeyId ? 'WATCHKEEPER_S3_SECRET_ACCESS_KEY' : 'WATCHKEEPER_S3_ACCESS_KEY_ID',
      'set both S3 keys, or neither to use the AWS SDK default credential chain',
    );
  }
  return {
    kind: 's3',
    bucket: s3.bucket,
    prefix: s3.prefix,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials:
      accessKeyId && secretAccessKey ? { accessKeyId: accessKeyId.reveal(), secretAccessKey } : undefined,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Slack is on with a bot token; then the mode's own credential and a default channel are required. */
function resolveSlack(
  file: ConfigFile,
  secret: (name: SecretEnvName) => Secret | undefined,
): Config['slack'] {
  const botToken = secret('WATCHKEEPER_SLACK_BOT_TOKEN');
  if (!botToken) return undefined;
  if (!botToken.reveal().startsWith('xoxb-'))
    throw new ConfigError(
      'WATCHKEEPER_SLACK_BOT_TOKEN',
      'must be a bot token (xoxb-…) from OAuth & Permissions',
    );
  const appToken = secret('WATCHKEEPER_SLACK_APP_TOKEN');
  const signingSecret = secret('WATCHKEEPER_SLACK_SIGNING_SECRET');
  const { defaultChannel, ...rest } = file.slack;
  if (file.slack.mode === 'socket' && !appToken?.reveal().startsWith('xapp-'))
    throw new ConfigError(
      'WATCHKEEPER_SLACK_APP_TOKEN',
      'Socket Mode needs an app-level token (xapp-…, scope connections:write); or set slack.mode: http',
    );
  if (file.slack.mode === 'http' && !signingSecret)
    throw new ConfigError(
      'WATCHKEEPER_SLACK_SIGNING_SECRET',
      "HTTP mode needs the app's signing secret (Basic Information → App Credentials)",
    );
  if (defaultChannel === undefined)
    throw new ConfigError('slack.defaultChannel', 'set the channel id incidents go to when no route matches');
  return { ...rest, defaultChannel, botToken, appToken, signingSecret };
}

export { secretEnv };
