import { asc, eq } from 'drizzle-orm';
import type { Actor } from '../domain/actor.ts';
import type { AuditEntry } from '../domain/audit.ts';
import { asAuditEntryId, asIncidentId } from '../domain/ids.ts';
import type { AuditRepository } from '../ports/audit-repository.ts';
import type { Database } from './database.ts';
import { auditEntries } from './schema.ts';

/** Append-only: an entry is never updated; appending the same id twice keeps the first. */
export function createAuditRepository(db: Database): AuditRepository {
  return {
    async append(entry) {
      await db
        .insert(auditEntries)
        .values({
          id: entry.id,
          incidentId: entry.incidentId ?? null,
          actor: entry.actor,
          action: entry.action,
          detail: entry.detail,
          at: entry.at,
        })
        .onConflictDoNothing();
    },

    async listByIncident(incidentId) {
      const rows = await db
        .select()
        .from(auditEntries)
        .where(eq(auditEntries.incidentId, incidentId))
        .orderBy(asc(auditEntries.at));
      return rows.map((row): AuditEntry => ({
        id: asAuditEntryId(row.id),
        ...(row.incidentId !== null && { incidentId: asIncidentId(row.incidentId) }),
        actor: row.actor as Actor,
        action: row.action,
        detail: row.detail as Record<string, unknown>,
        at: row.at,
      }));
    },
  };
}
