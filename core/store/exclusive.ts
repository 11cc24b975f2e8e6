/**
 * `Store.exclusive`: one holder at a time for a named critical section, across every Watchkeeper process on
 * the database (so caps hold with several replicas). On PostgreSQL a transaction holds an advisory lock while
 * the section runs on the pool's other connections; PGlite serves one process, so an in-process queue suffices.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';

export type Exclusive = <T>(name: string, section: () => Promise<T>) => Promise<T>;

/** A stable 63-bit lock key for a name. */
export function lockKey(name: string): bigint {
  return createHash('sha256').update(`watchkeeper:${name}`).digest().readBigInt64BE(0);
}

export function advisoryExclusive(db: Database): Exclusive {
  return (name, section) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${lockKey(name)})`);
      return section();
    });
}

export function inProcessExclusive(): Exclusive {
  const tails = new Map<string, Promise<unknown>>();
  return async (name, section) => {
    const previous = tails.get(name) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(section);
    tails.set(name, current);
    try {
      return await current;
    } finally {
      if (tails.get(name) === current) tails.delete(name);
    }
  };
}
