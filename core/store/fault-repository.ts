import { and, count, eq, sql } from 'drizzle-orm';
import { FaultSchema, type Fault } from '../domain/fault.ts';
import type {
  ExpiredFault,
  FaultRecord,
  FaultRecordOutcome,
  FaultRepository,
  StoredFault,
} from '../ports/fault-repository.ts';
import { formatMinutes } from '../domain/policies/quiet-resolution.ts';
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
      // A subquery in RETURNING reads the statement's snapshot: the row as it was before this upsert.
      const rows = await upsert(db, input.map(toRow)).returning({
        cluster: faults.cluster,
        faultId: faults.faultId,
        inserted: sql<boolean>`(xmax = 0)`,
        previous: sql<string | null>`case when xmax = 0 then null else
          (select (case when before.resolved then 'resolved:' else 'firing:' end) || before.class
          from faults before where before.cluster = faults.cluster and before.fault_id = faults.fault_id) end`,
      });
      const byKey = new Map(rows.map((row) => [`${row.cluster}\u0000${row.faultId}`, row]));
      return input.map((fault): FaultRecord => {
        const row = byKey.get(`${fault.cluster}\u0000${fault.faultId}`);
        if (!row) return { outcome: 'duplicate' };
        const outcome: FaultRecordOutcome = row.inserted ? 'new' : 'changed';
        const [state, cls] = row.previous?.split(':') ?? [];
        return cls !== undefined && !row.inserted
          ? { outcome, previous: { class: cls as Fault['class'], resolved: state === 'resolved' } }
          : { outcome };
      });
    },

    async expireStale(ttlMs, now, limit) {
      if (ttlMs.size === 0) return [];
      const ttls = sql.join(
        [...ttlMs].map(
          ([source, ms]) =>
            sql`(${source}::text, ${Math.max(0, Math.round(ms))}::bigint, ${`expired: not observed again within ${formatMinutes(ms)} from ${source}`}::text)`,
        ),
        sql`, `,
      );
      // One statement: a fault refreshed meanwhile no longer matches `last_seen_at < cutoff` and stays firing.
      const result = await db.execute(sql`
        with ttl(source, ms, reason) as (values ${ttls}),
        stale as (
          select f.cluster, f.fault_id, ttl.source, ttl.ms, ttl.reason,
                 f.last_seen_at + ttl.ms * interval '1 millisecond' as cleared_at
          from ${faults} f
          join ttl on ttl.source = (f.data->'source'->>'kind') || ':' || (f.data->'source'->>'name')
          where not f.resolved
            and f.last_seen_at + ttl.ms * interval '1 millisecond' <= ${now.toISOString()}::timestamptz
          order by f.last_seen_at
          limit ${limit}
          for update of f skip locked
        )
        update ${faults} f set
          resolved = true,
          observed_at = stale.cleared_at,
          last_seen_at = stale.cleared_at,
          occurrences = f.occurrences + 1,
          data = jsonb_set(
            jsonb_set(jsonb_set(f.data, '{resolved}', 'true'::jsonb), '{observedAt}',
              to_jsonb(to_char(stale.cleared_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
            '{context,resolution}',
            jsonb_build_object(
              'reason', stale.reason,
              'expired', true))
        from stale
        where f.cluster = stale.cluster and f.fault_id = stale.fault_id and not f.resolved
        returning f.cluster, f.fault_id, stale.source, stale.cleared_at
      `);
      return rowsOf<{ cluster: string; fault_id: string; source: string; cleared_at: string | Date }>(
        result,
      ).map((row): ExpiredFault => ({
        cluster: row.cluster,
        faultId: row.fault_id,
        source: row.source,
        clearedAt: new Date(row.cleared_at),
      }));
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

/** postgres.js returns the rows as an array, PGlite as `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

function toStoredFault(row: typeof faults.$inferSelect): StoredFault {
  const fault: Fault = FaultSchema.parse(row.data);
  return { fault, firstSeenAt: row.firstSeenAt, lastSeenAt: row.lastSeenAt, occurrences: row.occurrences };
}
