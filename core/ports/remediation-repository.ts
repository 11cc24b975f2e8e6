import type { IncidentId, RemediationRequestId } from '../domain/ids.ts';
import type { RemediationRequest } from '../domain/remediation.ts';

export interface RemediationRepository {
  create(request: RemediationRequest): Promise<void>;
  get(id: RemediationRequestId): Promise<RemediationRequest | undefined>;
  listByIncident(incidentId: IncidentId): Promise<readonly RemediationRequest[]>;
  /** Requests still waiting for approval whose window closed before `now`. */
  listExpired(now: Date): Promise<readonly RemediationRequest[]>;
  /** Stores `next` only if the request is still at `next.version - 1`; false when someone else changed it first. */
  update(next: RemediationRequest): Promise<boolean>;
}
