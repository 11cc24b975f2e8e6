import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { StoreError } from '../domain/errors.ts';
import { asIncidentId, asRunId } from '../domain/ids.ts';
import type {
  CancelledBy,
  RunFailureReason,
  RunPurpose,
  RunStatus,
  SandboxRef,
  TriageRun,
} from '../domain/run.ts';
import type { Usage } from '../domain/usage.ts';
import type { RunRepository } from '../ports/run-repository.ts';
import type { Database } from './database.ts';
import { runs } from './schema.ts';

export function createRunRepository(db: Database): RunRepository {
  return {
    async create(run) {
      await db.insert(runs).values({
        id: run.id,
        incidentId: run.incidentId,
        purpose: run.purpose,
        agent: run.agent,
        runner: run.runner,
        status: run.status,
        attempt: run.attempt,
        question: run.question ?? null,
        model: run.model ?? null,
        createdAt: run.createdAt,
        startedAt: run.startedAt ?? null,
        finishedAt: run.finishedAt ?? null,
        usage: run.usage ?? null,
        reportKey: run.reportKey ?? null,
        failureReason: run.failure?.reason ?? null,
        failureDetail: run.failure?.detail ?? null,
        cluster: run.cluster,
        sandbox: run.sandbox ?? null,
        owner: run.owner ?? null,
        cancellation: run.cancellation ? storedCancellation(run.cancellation) : null,
      });
    },

    async get(id) {
      const [row] = await db.select().from(runs).where(eq(runs.id, id));
      return row && toRun(row);
    },

    async listByIncident(incidentId) {
      const rows = await db
        .select()
        .from(runs)
        .where(eq(runs.incidentId, incidentId))
        .orderBy(asc(runs.createdAt));
      return rows.map(toRun);
    },

    async listByStatus(statuses) {
      const rows = await db
        .select()
        .from(runs)
        .where(inArray(runs.status, [...statuses]))
        .orderBy(asc(runs.createdAt));
      return rows.map(toRun);
    },

    async update(id, update) {
      const [row] = await db
        .update(runs)
        .set({
          status: update.status,
          ...(update.startedAt && { startedAt: update.startedAt }),
          ...(update.finishedAt && { finishedAt: update.finishedAt }),
          ...(update.usage && { usage: update.usage }),
          ...(update.reportKey !== undefined && { reportKey: update.reportKey }),
          ...(update.model !== undefined && { model: update.model }),
          ...(update.sandbox !== undefined && { sandbox: update.sandbox }),
          ...(update.failure && {
            failureReason: update.failure.reason,
            failureDetail: update.failure.detail,
          }),
        })
        .where(eq(runs.id, id))
        .returning();
      if (!row) throw new StoreError('not_found', `run ${id} does not exist`);
      return toRun(row);
    },

    async recordCancellation(id, cancellation) {
      await db
        .update(runs)
        .set({ cancellation: storedCancellation(cancellation) })
        .where(and(eq(runs.id, id), isNull(runs.cancellation)));
      const [row] = await db.select().from(runs).where(eq(runs.id, id));
      return row && toRun(row);
    },

    async load(now, windowMs) {
      const active = await db
        .select({ cluster: runs.cluster, count: sql<number>`count(*)::int` })
        .from(runs)
        .where(inArray(runs.status, activeStatuses))
        .groupBy(runs.cluster);
      const started = await db
        .select({ startedAt: runs.startedAt })
        .from(runs)
        .where(and(isNotNull(runs.startedAt), gt(runs.startedAt, new Date(now.getTime() - windowMs))));
      const runningByCluster = Object.fromEntries(active.map((row) => [row.cluster, row.count]));
      return {
        running: active.reduce((sum, row) => sum + row.count, 0),
        runningByCluster,
        recentStarts: started.flatMap((row) => (row.startedAt ? [row.startedAt] : [])),
      };
    },

    async recentOutcomes(limit) {
      const rows = await db
        .select()
        .from(runs)
        .where(and(inArray(runs.status, ['succeeded', 'failed']), isNotNull(runs.finishedAt)))
        .orderBy(desc(runs.finishedAt))
        .limit(limit);
      return rows.map(toRun);
    },
  };
}

const activeStatuses: RunStatus[] = ['starting', 'running'];

interface StoredCancellation {
  readonly by: CancelledBy;
  readonly at: string;
}

const storedCancellation = (cancellation: TriageRun['cancellation'] & object): StoredCancellation => ({
  by: cancellation.by,
  at: cancellation.at.toISOString(),
});

function toRun(row: typeof runs.$inferSelect): TriageRun {
  return {
    id: asRunId(row.id),
    incidentId: asIncidentId(row.incidentId),
    purpose: row.purpose as RunPurpose,
    agent: row.agent,
    runner: row.runner as TriageRun['runner'],
    status: row.status as RunStatus,
    attempt: row.attempt,
    cluster: row.cluster,
    ...(row.sandbox !== null && { sandbox: row.sandbox as SandboxRef }),
    ...(row.owner !== null && { owner: row.owner }),
    ...(row.question !== null && { question: row.question }),
    ...(row.model !== null && { model: row.model }),
    createdAt: row.createdAt,
    ...(row.startedAt !== null && { startedAt: row.startedAt }),
    ...(row.finishedAt !== null && { finishedAt: row.finishedAt }),
    ...(row.usage !== null && { usage: row.usage as Usage }),
    ...(row.reportKey !== null && { reportKey: row.reportKey }),
    ...(row.failureReason !== null && {
      failure: { reason: row.failureReason as RunFailureReason, detail: row.failureDetail ?? '' },
    }),
    ...(row.cancellation !== null && {
      cancellation: {
        by: (row.cancellation as StoredCancellation).by,
        at: new Date((row.cancellation as StoredCancellation).at),
      },
    }),
  };
}
