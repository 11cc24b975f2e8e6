import { asc, eq } from 'drizzle-orm';
import { ProgressEventSchema } from '../domain/progress.ts';
import type { ProgressRepository } from '../ports/run-repository.ts';
import type { Database } from './database.ts';
import { progressEvents } from './schema.ts';

export function createProgressRepository(db: Database): ProgressRepository {
  return {
    async append(event) {
      const inserted = await db
        .insert(progressEvents)
        .values({ runId: event.runId, seq: event.seq, type: event.type, at: event.at, data: event })
        .onConflictDoNothing()
        .returning({ seq: progressEvents.seq });
      return inserted.length > 0;
    },

    async list(runId) {
      const rows = await db
        .select({ data: progressEvents.data })
        .from(progressEvents)
        .where(eq(progressEvents.runId, runId))
        .orderBy(asc(progressEvents.seq));
      return rows.map((row) => ProgressEventSchema.parse(row.data));
    },
  };
}
