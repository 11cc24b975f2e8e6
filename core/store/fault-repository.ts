import { and, count, eq, sql } from 'drizzle-orm';
import { FaultSchema, type Fault } from '../domain/fault.ts';
import type { FaultRecordOutcome, FaultRepository, StoredFault } from '../ports/fault-repository.ts';
import type { Database } from './database.ts';
import { faults } from './schema.ts';

/**
 * A later observation replaces the stored one; a replay (same or older observedAt) changes nothing, except that
 * a resolution observed at the very same instant still wins over the unresolved twin.
 */
const isNewerObservation = sql`excluded.observed_at > ${faults.observedAt}
  or (excluded.observed_at = ${faults.observedAt} and excluded.resolved and not ${faults.resolved})`;

const toRow = (fault: Fault): typeof faults.$inferInsert => ({
  cluster: fault.cluster,
  faultId: fault.faultId,
  class: fault.class,
  severity: fault.severity,
  namespace: fault.resource.namespace ?? null,
  kind: fault.resource.kind,
  name: fault.resource.name,
  data: fault,
  observedAt: fault.observedAt,
  resolved: fault.resolved,
  firstSeenAt: fault.observedAt,
  lastSeenAt: fault.observedAt,
});

/** Insert, or take a newer observation; a replay matches no row and so returns nothing. */
function upsert(db: Database, rows: (typeof faults.$inferInsert)[]) {
  return db
    .insert(faults)
    .values(rows)
    .onConflictDoUpdate({
      target: [faults.cluster, faults.faultId],
      set: {
        class: sql`excluded.class`,
        severity: sql`excluded.severity`,
        data: sql`excluded.data`,
        observedAt: sql`excluded.observed_at`,
        resolved: sql`excluded.resolved`,
        lastSeenAt: sql`excluded.last_seen_at`,
        occurrences: sql`${faults.occurrences} + 1`,
      },
      setWhere: isNewerObservation,
    });
}

export function createFaultRepository(db: Database): FaultRepository {
  return {
    async recordMany(input) {
      if (input.length === 0) return [];
      const rows = await upsert(db, input.map(toRow)).returning({
        cluster: faults.cluster,
        faultId: faults.faultId,
        inserted: sql<boolean>`(xmax = 0)`,
      });
      const outcome = new Map(rows.map((row) => [`${row.cluster}\u0000${row.faultId}`, row.inserted]));
      return input.map((fault): FaultRecordOutcome => {
        const inserted = outcome.get(`${fault.cluster}\u0000${fault.faultId}`);
        return inserted === undefined ? 'duplicate' : inserted ? 'new' : 'changed';
      });
    },

    async record(fault) {
      const [row] = await upsert(db, [toRow(fault)]).returning({
        inserted: sql<boolean>`(xmax = 0)`,
        firstSeenAt: faults.firstSeenAt,
        lastSeenAt: faults.lastSeenAt,
        occurrences: faults.occurrences,
      });
      if (row) {
        const outcome: FaultRecordOutcome = row.inserted ? 'new' : 'changed';
        return {
          outcome,
          stored: {
            fault,
            firstSeenAt: row.firstSeenAt,
            lastSeenAt: row.lastSeenAt,
            occurrences: row.occurrences,
          },
        };
      }
      const stored = await this.get(fault.cluster, fault.faultId);
      if (!stored) throw new Error(`fault ${fault.cluster}/${fault.faultId} vanished while being recorded`);
      return { outcome: 'duplicate', stored };
    },

    async get(cluster, faultId) {
      const [row] = await db
        .select()
        .from(faults)
        .where(and(eq(faults.cluster, cluster), eq(faults.faultId, faultId)));
      return row && toStoredFault(row);
    },

    async count(filter = {}) {
      const [row] = await db
        .select({ n: count() })
        .from(faults)
        .where(filter.cluster === undefined ? undefined : eq(faults.cluster, filter.cluster));
      return row?.n ?? 0;
    },
  };
}

function toStoredFault(row: typeof faults.$inferSelect): StoredFault {
  const fault: Fault = FaultSchema.parse(row.data);
  return { fault, firstSeenAt: row.firstSeenAt, lastSeenAt: row.lastSeenAt, occurrences: row.occurrences };
}
