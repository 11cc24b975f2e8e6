import { and, asc, eq, lte } from 'drizzle-orm';
import type { Actor } from '../domain/actor.ts';
import { asIncidentId, asRemediationRequestId } from '../domain/ids.ts';
import type {
  Approval,
  RemediationAction,
  RemediationRequest,
  RemediationStatus,
} from '../domain/remediation.ts';
import type { RemediationRepository } from '../ports/remediation-repository.ts';
import type { Database } from './database.ts';
import { remediationRequests } from './schema.ts';

type Row = typeof remediationRequests.$inferSelect;

const toRow = (request: RemediationRequest) => ({
  id: request.id,
  incidentId: request.incidentId,
  cluster: request.cluster,
  actions: request.actions,
  dryRun: request.dryRun,
  proposedBy: request.proposedBy,
  status: request.status,
  approvals: request.approvals.map((a) => ({ ...a, at: a.at.toISOString() })),
  requiredApprovals: request.requiredApprovals,
  proposedAt: request.proposedAt,
  expiresAt: request.expiresAt,
  execution: request.execution ?? null,
  verification: request.verification ?? null,
  version: request.version,
});

function toRequest(row: Row): RemediationRequest {
  const execution = row.execution as { startedAt: string; finishedAt?: string; error?: string } | null;
  const verification = row.verification as { ok: boolean; detail: string; at: string } | null;
  return {
    id: asRemediationRequestId(row.id),
    incidentId: asIncidentId(row.incidentId),
    cluster: row.cluster,
    actions: row.actions as RemediationAction[],
    dryRun: row.dryRun as string[],
    proposedBy: row.proposedBy as Actor,
    status: row.status as RemediationStatus,
    approvals: (row.approvals as (Omit<Approval, 'at'> & { at: string })[]).map((a) => ({
      ...a,
      at: new Date(a.at),
    })),
    requiredApprovals: row.requiredApprovals,
    proposedAt: row.proposedAt,
    expiresAt: row.expiresAt,
    ...(execution && {
      execution: {
        startedAt: new Date(execution.startedAt),
        ...(execution.finishedAt !== undefined && { finishedAt: new Date(execution.finishedAt) }),
        ...(execution.error !== undefined && { error: execution.error }),
      },
    }),
    ...(verification && { verification: { ...verification, at: new Date(verification.at) } }),
    version: row.version,
  };
}

export function createRemediationRepository(db: Database): RemediationRepository {
  return {
    async create(request) {
      await db.insert(remediationRequests).values(toRow(request));
    },
    async get(id) {
      const [row] = await db.select().from(remediationRequests).where(eq(remediationRequests.id, id));
      return row && toRequest(row);
    },
    async listByIncident(incidentId) {
      const rows = await db
        .select()
        .from(remediationRequests)
        .where(eq(remediationRequests.incidentId, incidentId))
        .orderBy(asc(remediationRequests.proposedAt));
      return rows.map(toRequest);
    },
    async listExpired(now) {
      const rows = await db
        .select()
        .from(remediationRequests)
        .where(and(eq(remediationRequests.status, 'proposed'), lte(remediationRequests.expiresAt, now)))
        .limit(100);
      return rows.map(toRequest);
    },
    async update(next) {
      const rows = await db
        .update(remediationRequests)
        .set(toRow(next))
        .where(and(eq(remediationRequests.id, next.id), eq(remediationRequests.version, next.version - 1)))
        .returning({ id: remediationRequests.id });
      return rows.length > 0;
    },
  };
}
