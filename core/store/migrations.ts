import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';

/** `migrations/` at the repository root: drizzle-kit output, shared by PostgreSQL and PGlite. */
export const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** How many migrations the database has recorded (0 before the first run). */
export async function appliedMigrations(db: Database): Promise<number> {
  const exists = await db.execute(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!firstRow(exists)?.present) return 0;
  const counted = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(firstRow(counted)?.n ?? 0);
}

/** `db.execute` returns an array on postgres.js and `{ rows }` on PGlite. */
function firstRow(result: unknown): Record<string, unknown> | undefined {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
  return rows?.[0] as Record<string, unknown> | undefined;
}
