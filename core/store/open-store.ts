import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { StoreError } from '../domain/errors.ts';
import type { Store } from '../ports/store.ts';
import { createAuditRepository } from './audit-repository.ts';
import type { Database } from './database.ts';
import { advisoryExclusive, inProcessExclusive, type Exclusive } from './exclusive.ts';
import { createFaultRepository } from './fault-repository.ts';
import { createIncidentRepository } from './incident-repository.ts';
import { appliedMigrations, migrationsFolder } from './migrations.ts';
import { createProgressRepository } from './progress-repository.ts';
import { createChatRepository } from './chat-repository.ts';
import { createRemediationRepository } from './remediation-repository.ts';
import { createReportRepository } from './report-repository.ts';
import { createRunRepository } from './run-repository.ts';
import * as schema from './schema.ts';
import { createSilenceRepository } from './silence-repository.ts';
import { createWorkQueue } from './work-queue.ts';

export type StoreOptions =
  | {
      readonly kind: 'pglite';
      /** A folder, or `memory` for a throwaway database. */ readonly dataDir: string;
    }
  | { readonly kind: 'postgres'; readonly url: string; readonly maxConnections?: number };

export interface OpenedStore extends Store {
  /** Migrations applied by this open (0 when the schema was already current). */
  readonly migrationsApplied: number;
}

/** Opens the database, checks it answers and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<OpenedStore> {
  return options.kind === 'pglite'
    ? openPglite(options.dataDir)
    : openPostgres(options.url, options.maxConnections ?? 10);
}

async function openPglite(dataDir: string): Promise<OpenedStore> {
  const inMemory = dataDir === 'memory';
  const folder = inMemory ? undefined : resolve(dataDir);
  const release = folder ? await lockFolder(folder) : () => Promise.resolve();
  let client: PGlite | undefined;
  try {
    client = folder ? await PGlite.create(folder) : await PGlite.create();
    const db = drizzlePglite({ client, schema });
    const applied = await runMigrations(db, () => migratePglite(db, { migrationsFolder }));
    const opened = client;
    return assemble(
      db,
      folder ?? 'in-memory PGlite',
      applied,
      async () => {
        await opened.close();
        await release();
      },
      inProcessExclusive(),
    );
  } catch (error) {
    await client?.close().catch(() => undefined);
    await release();
    throw error;
  }
}

/** Connects and runs `select 1`, writing nothing: for start-up checks before anything is changed. */
export async function checkPostgres(url: string): Promise<void> {
  const client = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await ping(client, url);
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function ping(client: postgres.Sql, url: string): Promise<void> {
  try {
    await client`select 1`;
  } catch (error) {
    throw new StoreError(
      'unavailable',
      `cannot connect to PostgreSQL at ${redactUrl(url)}: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
}

async function openPostgres(url: string, maxConnections: number): Promise<OpenedStore> {
  const location = redactUrl(url);
  const migrator = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  let applied: number;
  try {
    await ping(migrator, url);
    // One migrator at a time when several replicas start together; the lock lives on this one connection.
    await migrator`select pg_advisory_lock(727274)`;
    const db = drizzlePostgres({ client: migrator, schema });
    applied = await runMigrations(db, () => migratePostgres(db, { migrationsFolder }));
  } finally {
    await migrator.end({ timeout: 5 });
  }
  const client = postgres(url, { max: maxConnections, connect_timeout: 5, onnotice: () => undefined });
  const db = drizzlePostgres({ client, schema });
  return assemble(db, location, applied, () => client.end({ timeout: 5 }), advisoryExclusive(db));
}

async function runMigrations(db: Database, migrate: () => Promise<void>): Promise<number> {
  const before = await appliedMigrations(db);
  try {
    await migrate();
  } catch (error) {
    throw new StoreError('migration_failed', `database migration failed: ${describe(error)}`, {
      cause: error,
    });
  }
  return (await appliedMigrations(db)) - before;
}

function assemble(
  db: Database,
  location: string,
  migrationsApplied: number,
  close: () => Promise<void>,
  exclusive: Exclusive,
): OpenedStore {
  return {
    exclusive,
    faults: createFaultRepository(db),
    incidents: createIncidentRepository(db),
    runs: createRunRepository(db),
    progress: createProgressRepository(db),
    reports: createReportRepository(db),
    audit: createAuditRepository(db),
    queue: createWorkQueue(db),
    silences: createSilenceRepository(db),
    chat: createChatRepository(db),
    remediation: createRemediationRepository(db),
    location,
    migrationsApplied,
    close,
  };
}

/** PGlite has no cross-process locking; two processes on one folder would corrupt it, so refuse the second. */
async function lockFolder(folder: string): Promise<() => Promise<void>> {
  await mkdir(folder, { recursive: true });
  const lockFile = join(folder, 'watchkeeper.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch {
      const owner = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
      if (owner && owner !== process.pid && processExists(owner)) {
        throw new StoreError(
          'in_use',
          `database.path (${folder}) is in use by process ${owner}; stop that Watchkeeper or point database.path elsewhere`,
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new StoreError('in_use', `database.path (${folder}): could not take the lock file ${lockFile}`);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}
