import { and, asc, desc, eq, gte, inArray, isNull, like, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../domain/actor.ts';
import { StoreError } from '../domain/errors.ts';
import { asIncidentId, type IncidentId } from '../domain/ids.ts';
import type { FoldReason, Incident, IncidentMember } from '../domain/incident.ts';
import type { IncidentEvent } from '../domain/incident-event.ts';
import type { IncidentState, IncidentStatus } from '../domain/incident-state.ts';
import type { ResourceRef } from '../domain/resource.ts';
import { severities, type Severity } from '../domain/severity.ts';
import type {
  ClearMemberRow,
  IncidentRepository,
  OpenResult,
  TransitionRecord,
} from '../ports/incident-repository.ts';
import { sqlState, uniqueViolation, type Database } from './database.ts';
import { lockKey } from './exclusive.ts';
import { faults, incidentMembers, incidents, incidentTransitions } from './schema.ts';

const closed: IncidentStatus[] = ['resolved', 'closed'];

/** A severity's urgency rank in SQL (1 = most urgent), for raising severity in place. */
const rank = (value: SQL | typeof incidents.severity) =>
  sql`array_position(array[${sql.join(
    severities.map((s) => sql`${s}`),
    sql`, `,
  )}]::text[], ${value})`;

/** Incidents opened since `since` for a single resource (no workload, no node) in a namespace. */
async function countStandalone(
  db: Database,
  cluster: string,
  namespace: string,
  since: Date,
): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(incidents)
    .where(
      and(
        eq(incidents.cluster, cluster),
        like(incidents.fingerprint, `resource:%/${namespace}/%`),
        gte(incidents.createdAt, since),
      ),
    );
  return row?.n ?? 0;
}

/** The incident row and its primary member; the caller's transaction makes them one. */
async function insertWithPrimary(
  db: Database,
  incident: Incident,
  member: Omit<IncidentMember, 'incidentId' | 'reason'>,
): Promise<Incident> {
  const created = { ...incident, faultCount: 1 };
  await db.insert(incidents).values(toRow(created));
  await db.insert(incidentMembers).values({ ...member, incidentId: incident.id, reason: 'primary' });
  return created;
}

export function createIncidentRepository(db: Database): IncidentRepository {
  return {
    async open(request) {
      const { incident, member, burst } = request;
      try {
        return await db.transaction(async (tx): Promise<OpenResult> => {
          if (burst) {
            await tx.execute(
              sql`select pg_advisory_xact_lock(${lockKey(`burst:${incident.cluster}:${burst.namespace}`)})`,
            );
            const recent = await countStandalone(tx, incident.cluster, burst.namespace, burst.since);
            if (recent >= burst.threshold) {
              const [row] = await tx
                .select()
                .from(incidents)
                .where(
                  and(
                    eq(incidents.cluster, burst.incident.cluster),
                    eq(incidents.fingerprint, burst.incident.fingerprint),
                    notInArray(incidents.status, closed),
                  ),
                );
              if (!row)
                return {
                  kind: 'opened',
                  incident: await insertWithPrimary(tx, burst.incident, member),
                  burst: true,
                };
              const added = await addOne(
                tx,
                { ...member, incidentId: asIncidentId(row.id), reason: 'namespace_burst' },
                request.severity,
              );
              return { kind: 'joined_burst', incident: toIncident(row), added };
            }
          }
          return { kind: 'opened', incident: await insertWithPrimary(tx, incident, member), burst: false };
        });
      } catch (error) {
        if (sqlState(error) === uniqueViolation) return { kind: 'conflict' };
        throw error;
      }
    },

    async lastIncidentsOfFaults(cluster, faultIds) {
      if (faultIds.length === 0) return new Map();
      const rows = await db
        .selectDistinctOn([incidentMembers.faultId], {
          faultId: incidentMembers.faultId,
          incident: incidents,
        })
        .from(incidentMembers)
        .innerJoin(incidents, eq(incidents.id, incidentMembers.incidentId))
        .where(and(eq(incidentMembers.cluster, cluster), inArray(incidentMembers.faultId, [...faultIds])))
        .orderBy(incidentMembers.faultId, desc(incidents.createdAt));
      return new Map(rows.map((row) => [row.faultId, toIncident(row.incident)]));
    },

    async openWithoutFiring(limit) {
      const firing = db
        .select({ one: sql`1` })
        .from(incidentMembers)
        .innerJoin(
          faults,
          and(eq(faults.cluster, incidentMembers.cluster), eq(faults.faultId, incidentMembers.faultId)),
        )
        .where(and(eq(incidentMembers.incidentId, incidents.id), eq(faults.resolved, false)));
      const quiet = await db
        .select()
        .from(incidents)
        .where(and(notInArray(incidents.status, closed), sql`not exists (${firing})`))
        .orderBy(asc(incidents.updatedAt))
        .limit(limit);
      if (quiet.length === 0) return [];
      const rows = await db
        .select({
          incidentId: incidentMembers.incidentId,
          cluster: incidentMembers.cluster,
          faultId: incidentMembers.faultId,
          observedAt: faults.observedAt,
          source: sql<string>`(${faults.data}->'source'->>'kind') || ':' || (${faults.data}->'source'->>'name')`,
          resolution: sql<ClearMemberRow['resolution'] | null>`${faults.data}->'context'->'resolution'`,
        })
        .from(incidentMembers)
        .innerJoin(
          faults,
          and(eq(faults.cluster, incidentMembers.cluster), eq(faults.faultId, incidentMembers.faultId)),
        )
        .where(
          inArray(
            incidentMembers.incidentId,
            quiet.map((row) => row.id),
          ),
        );
      const members = new Map<string, ClearMemberRow[]>();
      for (const row of rows) {
        const list = members.get(row.incidentId) ?? [];
        list.push({
          cluster: row.cluster,
          faultId: row.faultId,
          source: row.source,
          clearedAt: row.observedAt,
          ...(row.resolution !== null &&
            typeof row.resolution === 'object' &&
            typeof row.resolution.reason === 'string' && { resolution: row.resolution }),
        });
        members.set(row.incidentId, list);
      }
      return quiet.map((row) => ({ incident: toIncident(row), members: members.get(row.id) ?? [] }));
    },

    async create(incident) {
      try {
        await db.insert(incidents).values(toRow(incident));
      } catch (error) {
        if (sqlState(error) === uniqueViolation) {
          throw new StoreError(
            'conflict',
            `an open incident for fingerprint ${incident.fingerprint} in cluster ${incident.cluster} already exists`,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async get(id) {
      const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
      return row && toIncident(row);
    },

    async findOpenByFingerprints(cluster, fingerprints) {
      if (fingerprints.length === 0) return [];
      const rows = await db
        .select()
        .from(incidents)
        .where(
          and(
            eq(incidents.cluster, cluster),
            inArray(incidents.fingerprint, [...fingerprints]),
            notInArray(incidents.status, closed),
          ),
        );
      return rows.map(toIncident);
    },

    async findOpenByFingerprint(cluster, fingerprint) {
      const [row] = await db
        .select()
        .from(incidents)
        .where(
          and(
            eq(incidents.cluster, cluster),
            eq(incidents.fingerprint, fingerprint),
            notInArray(incidents.status, closed),
          ),
        );
      return row && toIncident(row);
    },

    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.statuses) conditions.push(inArray(incidents.status, [...filter.statuses]));
      if (filter.cluster !== undefined) conditions.push(eq(incidents.cluster, filter.cluster));
      if (filter.resolvedBefore) conditions.push(lt(incidents.resolvedAt, filter.resolvedBefore));
      const rows = await db
        .select()
        .from(incidents)
        .where(and(...conditions))
        .orderBy(filter.resolvedBefore ? asc(incidents.resolvedAt) : desc(incidents.updatedAt))
        .limit(filter.limit ?? 100);
      return rows.map(toIncident);
    },

    async transition(id, expectedVersion, next, record) {
      // One statement: the version check, the new state and its history row land together or not at all.
      const updated = db.$with('updated').as(
        db
          .update(incidents)
          .set({
            status: next.status,
            state: next,
            version: expectedVersion + 1,
            updatedAt: record.at,
            ...(next.status === 'resolved' && { resolvedAt: record.at }),
            ...(next.status === 'closed' && { closedAt: record.at }),
            ...(record.from === 'resolved' && next.status !== 'closed' && { resolvedAt: null }),
          })
          .where(and(eq(incidents.id, id), eq(incidents.version, expectedVersion)))
          .returning(),
      );
      const history = db.$with('history').as(
        db
          .insert(incidentTransitions)
          .select(
            sql`select ${id}, ${expectedVersion + 1}, ${record.from}, ${next.status}, ${record.event}, ${JSON.stringify(
              record.actor,
            )}::jsonb, ${record.reason}, ${record.at.toISOString()}::timestamptz, null from ${updated}`,
          )
          .returning({ version: incidentTransitions.version }),
      );
      const [row] = await db.with(updated, history).select().from(updated);
      return row && toIncident(row);
    },

    async history(id) {
      const rows = await db
        .select()
        .from(incidentTransitions)
        .where(eq(incidentTransitions.incidentId, id))
        .orderBy(asc(incidentTransitions.version));
      return rows.map(toTransition);
    },

    async unpublished(limit) {
      const rows = await db
        .select()
        .from(incidentTransitions)
        .where(isNull(incidentTransitions.publishedAt))
        .orderBy(
          asc(incidentTransitions.at),
          asc(incidentTransitions.incidentId),
          asc(incidentTransitions.version),
        )
        .limit(limit);
      return rows.map(toTransition);
    },

    async markPublished(id, version, at) {
      await db
        .update(incidentTransitions)
        .set({ publishedAt: at })
        .where(and(eq(incidentTransitions.incidentId, id), eq(incidentTransitions.version, version)));
    },

    addMember(member, severity) {
      return addOne(db, member, severity);
    },

    async addMembers(members) {
      if (members.length === 0) return [];
      // One statement: the new member rows and the incidents' fault counts change together.
      const inserted = db.$with('inserted').as(
        db
          .insert(incidentMembers)
          .values(members.map((m) => ({ ...m })))
          .onConflictDoNothing()
          .returning({
            incidentId: incidentMembers.incidentId,
            cluster: incidentMembers.cluster,
            faultId: incidentMembers.faultId,
          }),
      );
      const counted = db.$with('counted').as(
        db
          .update(incidents)
          .set({
            faultCount: sql`${incidents.faultCount} + (select count(*) from inserted where inserted.incident_id = ${incidents.id})::int`,
          })
          .where(sql`${incidents.id} in (select incident_id from inserted)`)
          .returning({ id: incidents.id }),
      );
      const rows = await db.with(inserted, counted).select().from(inserted);
      const added = new Set(rows.map((r) => `${r.incidentId}\u0000${r.cluster}\u0000${r.faultId}`));
      return members.filter((m) => added.has(`${m.incidentId}\u0000${m.cluster}\u0000${m.faultId}`));
    },

    async members(id) {
      const rows = await db
        .select()
        .from(incidentMembers)
        .where(eq(incidentMembers.incidentId, id))
        .orderBy(asc(incidentMembers.joinedAt));
      return rows.map((row): IncidentMember => ({
        incidentId: asIncidentId(row.incidentId),
        cluster: row.cluster,
        faultId: row.faultId,
        reason: row.reason as FoldReason,
        joinedAt: row.joinedAt,
      }));
    },

    async lastIncidentOfFault(cluster, faultId) {
      const [row] = await db
        .select({ incident: incidents })
        .from(incidentMembers)
        .innerJoin(incidents, eq(incidents.id, incidentMembers.incidentId))
        .where(and(eq(incidentMembers.cluster, cluster), eq(incidentMembers.faultId, faultId)))
        .orderBy(desc(incidents.createdAt))
        .limit(1);
      return row && toIncident(row.incident);
    },

    countStandaloneSince(cluster, namespace, since) {
      return countStandalone(db, cluster, namespace, since);
    },

    async raiseSeverity(id, severity) {
      await db
        .update(incidents)
        .set({ severity })
        .where(and(eq(incidents.id, id), sql`${rank(sql`${severity}`)} < ${rank(incidents.severity)}`));
    },

    async countFiringMembers(id) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(incidentMembers)
        .innerJoin(
          faults,
          and(eq(faults.cluster, incidentMembers.cluster), eq(faults.faultId, incidentMembers.faultId)),
        )
        .where(and(eq(incidentMembers.incidentId, id), eq(faults.resolved, false)));
      return row?.n ?? 0;
    },

    async countOpenByStatus() {
      // the status index answers this without reading the incidents that are long resolved or closed
      const rows = await db
        .select({ status: incidents.status, n: sql<number>`count(*)::int` })
        .from(incidents)
        .where(notInArray(incidents.status, ['resolved', 'closed']))
        .groupBy(incidents.status);
      const counts: Partial<Record<IncidentStatus, number>> = {};
      for (const row of rows) counts[row.status as IncidentStatus] = row.n;
      return counts;
    },

    async setThread(id, thread) {
      const updated = await db
        .update(incidents)
        .set({ threadChannel: thread.channel, threadTs: thread.ts })
        .where(eq(incidents.id, id))
        .returning({ id: incidents.id });
      if (updated.length === 0) throw new StoreError('not_found', `incident ${id} does not exist`);
    },
  };
}

/** One statement: the member row and the incident's count (and severity) change together or not at all. */
async function addOne(db: Database, member: IncidentMember, severity?: Severity): Promise<boolean> {
  const inserted = db.$with('inserted').as(
    db
      .insert(incidentMembers)
      .values({ ...member })
      .onConflictDoNothing()
      .returning({ faultId: incidentMembers.faultId }),
  );
  const rows = await db
    .with(inserted)
    .update(incidents)
    .set({
      faultCount: sql`${incidents.faultCount} + (select count(*) from ${inserted})`,
      ...(severity !== undefined && {
        severity: sql`case when ${rank(sql`${severity}`)} < ${rank(incidents.severity)} then ${severity} else ${incidents.severity} end`,
      }),
    })
    .where(and(eq(incidents.id, member.incidentId), sql`exists (select 1 from ${inserted})`))
    .returning({ id: incidents.id });
  return rows.length > 0;
}

function toTransition(row: typeof incidentTransitions.$inferSelect): TransitionRecord {
  return {
    incidentId: asIncidentId(row.incidentId),
    version: row.version,
    from: row.fromStatus as IncidentStatus,
    to: row.toStatus as IncidentStatus,
    event: row.event as IncidentEvent['type'],
    actor: row.actor as Actor,
    reason: row.reason,
    at: row.at,
    ...(row.publishedAt !== null && { publishedAt: row.publishedAt }),
  };
}

function toRow(incident: Incident): typeof incidents.$inferInsert {
  return {
    id: incident.id,
    fingerprint: incident.fingerprint,
    cluster: incident.cluster,
    severity: incident.severity,
    title: incident.title,
    primaryResource: incident.primaryResource,
    status: incident.state.status,
    state: incident.state,
    faultCount: incident.faultCount,
    threadChannel: incident.thread?.channel ?? null,
    threadTs: incident.thread?.ts ?? null,
    previousIncidentId: incident.previousIncidentId ?? null,
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    resolvedAt: incident.resolvedAt ?? null,
    closedAt: incident.closedAt ?? null,
    version: incident.version,
  };
}

function toIncident(row: typeof incidents.$inferSelect): Incident {
  const id: IncidentId = asIncidentId(row.id);
  return {
    id,
    fingerprint: row.fingerprint,
    cluster: row.cluster,
    severity: row.severity as Severity,
    title: row.title,
    primaryResource: row.primaryResource as ResourceRef,
    state: row.state as IncidentState,
    faultCount: row.faultCount,
    ...(row.threadChannel !== null &&
      row.threadTs !== null && { thread: { channel: row.threadChannel, ts: row.threadTs } }),
    ...(row.previousIncidentId !== null && { previousIncidentId: asIncidentId(row.previousIncidentId) }),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.resolvedAt !== null && { resolvedAt: row.resolvedAt }),
    ...(row.closedAt !== null && { closedAt: row.closedAt }),
    version: row.version,
  };
}
