/**
 * Opens each configured adapter. Remote services are only checked here (nothing written); the caller opens
 * local state after every check has passed, so a bad setting leaves nothing half-done.
 */
import { mkdir } from 'node:fs/promises';
import { ConfigError, InfraError } from '../../core/domain/errors.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { checkPostgres, openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createS3ReportStore, type S3ReportStore } from '../../runners/reports/s3-report-store.ts';
import type { Config } from '../config/config.ts';

/** Turns an unreachable dependency into a ConfigError naming the setting that points at it. */
async function asSetting<T>(setting: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof InfraError) throw new ConfigError(setting, error.message, { cause: error });
    throw error;
  }
}

export async function checkRemoteDatabase(config: Config): Promise<void> {
  const { database } = config;
  if (database.kind === 'postgres') {
    await asSetting('WATCHKEEPER_DATABASE_URL', () => checkPostgres(database.url.reveal()));
  }
}

export async function openS3IfConfigured(config: Config): Promise<S3ReportStore | undefined> {
  const { store } = config.reports;
  if (store.kind !== 's3') return undefined;
  const s3 = createS3ReportStore({
    bucket: store.bucket,
    prefix: store.prefix,
    region: store.region,
    endpoint: store.endpoint,
    forcePathStyle: store.forcePathStyle,
    credentials: store.credentials && {
      accessKeyId: store.credentials.accessKeyId,
      secretAccessKey: store.credentials.secretAccessKey.reveal(),
    },
  });
  try {
    await asSetting('reports.s3', () => s3.verify());
  } catch (error) {
    s3.close();
    throw error;
  }
  return s3;
}

export async function openBus(config: Config, logger: Logger): Promise<Bus> {
  const { bus } = config;
  if (bus.kind === 'memory') return createMemoryBus();
  return asSetting('bus.nats.url', () =>
    openNatsBus({
      url: bus.url.reveal(),
      ...(bus.token && { token: bus.token.reveal() }),
      ...(bus.creds && { creds: bus.creds.reveal() }),
      logger,
    }),
  );
}

export async function openDatabase(config: Config): Promise<OpenedStore> {
  const { database } = config;
  if (database.kind === 'postgres') {
    return asSetting('WATCHKEEPER_DATABASE_URL', () =>
      openStore({ kind: 'postgres', url: database.url.reveal(), maxConnections: database.maxConnections }),
    );
  }
  await mkdir(database.path, { recursive: true });
  return asSetting('database.path', () => openStore({ kind: 'pglite', dataDir: database.path }));
}
