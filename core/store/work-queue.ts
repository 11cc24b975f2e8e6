import { and, asc, count, eq, inArray, isNull, lt, lte, min, or, sql } from 'drizzle-orm';
import type { WorkItem, WorkQueue } from '../ports/work-queue.ts';
import type { Database } from './database.ts';
import { workItems } from './schema.ts';

/**
 * Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers on PostgreSQL never claim the same item and never
 * wait on each other; on PGlite's single connection statements are serialized, which is trivially correct.
 */
export function createWorkQueue(db: Database): WorkQueue {
  const heldBy = (id: string, owner: string) => and(eq(workItems.id, id), eq(workItems.leaseOwner, owner));

  return {
    async enqueue(item) {
      const inserted = await db
        .insert(workItems)
        .values({ kind: item.kind, key: item.key, payload: item.payload, runAt: item.runAt })
        .onConflictDoNothing({ target: [workItems.kind, workItems.key] })
        .returning({ id: workItems.id });
      return inserted.length > 0;
    },

    async claim({ kinds, owner, now, leaseMs, limit }) {
      if (kinds.length === 0 || limit <= 0) return [];
      const due = db
        .select({ id: workItems.id })
        .from(workItems)
        .where(
          and(
            inArray(workItems.kind, [...kinds]),
            lte(workItems.runAt, now),
            or(isNull(workItems.leaseUntil), lt(workItems.leaseUntil, now)),
          ),
        )
        .orderBy(asc(workItems.runAt), asc(workItems.createdAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      const rows = await db
        .update(workItems)
        .set({
          leaseOwner: owner,
          leaseUntil: new Date(now.getTime() + leaseMs),
          attempts: sql`${workItems.attempts} + 1`,
        })
        .where(inArray(workItems.id, due))
        .returning();
      return rows.map(toWorkItem).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
    },

    async renew(id, owner, until) {
      const rows = await db
        .update(workItems)
        .set({ leaseUntil: until })
        .where(heldBy(id, owner))
        .returning({ id: workItems.id });
      return rows.length > 0;
    },

    async complete(id, owner) {
      const rows = await db.delete(workItems).where(heldBy(id, owner)).returning({ id: workItems.id });
      return rows.length > 0;
    },

    async release(id, owner, retryAt, waitReason) {
      const rows = await db
        .update(workItems)
        .set({ leaseOwner: null, leaseUntil: null, runAt: retryAt, waitReason: waitReason ?? null })
        .where(heldBy(id, owner))
        .returning({ id: workItems.id });
      return rows.length > 0;
    },

    async get(kind, key) {
      const [row] = await db
        .select()
        .from(workItems)
        .where(and(eq(workItems.kind, kind), eq(workItems.key, key)));
      return row && toWorkItem(row);
    },

    async pending(kind) {
      const [row] = await db
        .select({ n: count() })
        .from(workItems)
        .where(kind === undefined ? undefined : eq(workItems.kind, kind));
      return row?.n ?? 0;
    },

    async waiting(now) {
      const rows = await db
        .select({ kind: workItems.kind, count: count(), oldest: min(workItems.createdAt) })
        .from(workItems)
        .where(or(isNull(workItems.leaseUntil), lt(workItems.leaseUntil, now)))
        .groupBy(workItems.kind);
      return rows.flatMap((row) =>
        row.oldest ? [{ kind: row.kind, count: row.count, oldestEnqueuedAt: row.oldest }] : [],
      );
    },
  };
}

function toWorkItem(row: typeof workItems.$inferSelect): WorkItem {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    payload: row.payload as Record<string, unknown>,
    attempts: row.attempts,
    runAt: row.runAt,
    ...(row.leaseOwner !== null && { leaseOwner: row.leaseOwner }),
    ...(row.leaseUntil !== null && { leaseUntil: row.leaseUntil }),
    ...(row.waitReason !== null && { waitReason: row.waitReason }),
  };
}
