import type { AuditEntry } from '../domain/audit.ts';
import type { IncidentId } from '../domain/ids.ts';

export interface AuditRepository {
  append(entry: AuditEntry): Promise<void>;
  listByIncident(incidentId: IncidentId): Promise<readonly AuditEntry[]>;
}
