import type { Actor } from './actor.ts';
import type { AuditEntryId, IncidentId } from './ids.ts';

/** One recorded action: who did what to which incident, and why. Stored, never updated. */
export interface AuditEntry {
  readonly id: AuditEntryId;
  readonly incidentId?: IncidentId;
  readonly actor: Actor;
  /** Dotted verb, e.g. `incident.transition`, `remediation.approved`, `slack.rerun`. */
  readonly action: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly at: Date;
}
