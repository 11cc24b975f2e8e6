import { asc, eq } from 'drizzle-orm';
import { asIncidentId, asRunId } from '../domain/ids.ts';
import type { Report, ReportArtifacts, TriageCard } from '../domain/report.ts';
import type { ReportRepository } from '../ports/run-repository.ts';
import type { Database } from './database.ts';
import { reports } from './schema.ts';

export function createReportRepository(db: Database): ReportRepository {
  return {
    async save(report) {
      const row = {
        runId: report.runId,
        incidentId: report.incidentId,
        card: report.card,
        artifacts: report.artifacts,
        createdAt: report.createdAt,
      };
      await db.insert(reports).values(row).onConflictDoUpdate({ target: reports.runId, set: row });
    },

    async getByRun(runId) {
      const [row] = await db.select().from(reports).where(eq(reports.runId, runId));
      return row && toReport(row);
    },

    async listByIncident(incidentId) {
      const rows = await db
        .select()
        .from(reports)
        .where(eq(reports.incidentId, incidentId))
        .orderBy(asc(reports.createdAt));
      return rows.map(toReport);
    },
  };
}

function toReport(row: typeof reports.$inferSelect): Report {
  return {
    runId: asRunId(row.runId),
    incidentId: asIncidentId(row.incidentId),
    card: row.card as TriageCard,
    artifacts: row.artifacts as ReportArtifacts,
    createdAt: row.createdAt,
  };
}
