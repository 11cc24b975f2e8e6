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

export function createFaultRepository(db: Database): FaultRepository {
  return {
    async record(fault) {
      const [row] = await db
        .insert(faults)
        .values({
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
        })
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
        })
        .returning({
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
