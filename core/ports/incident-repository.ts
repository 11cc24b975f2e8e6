import type { Actor } from '../domain/actor.ts';
import type { IncidentId } from '../domain/ids.ts';
import type { Incident, IncidentMember, ThreadRef } from '../domain/incident.ts';
import type { IncidentEvent } from '../domain/incident-event.ts';
import type { IncidentState, IncidentStatus } from '../domain/incident-state.ts';

/** One applied lifecycle transition, kept as the incident's history and its audit of who and why. */
export interface TransitionRecord {
  readonly incidentId: IncidentId;
  /** The incident version this transition produced; with the id it is the transition's idempotency key. */
  readonly version: number;
  readonly from: IncidentStatus;
  readonly to: IncidentStatus;
  readonly event: IncidentEvent['type'];
  readonly actor: Actor;
  readonly reason: string;
  readonly at: Date;
}

export interface IncidentListFilter {
  readonly statuses?: readonly IncidentStatus[];
  readonly cluster?: string;
  readonly limit?: number;
}

export interface IncidentRepository {
  /** Fails with a `conflict` StoreError when an open incident already has this cluster and fingerprint. */
  create(incident: Incident): Promise<void>;
  get(id: IncidentId): Promise<Incident | undefined>;
  findOpenByFingerprint(cluster: string, fingerprint: string): Promise<Incident | undefined>;
  list(filter?: IncidentListFilter): Promise<readonly Incident[]>;
  /**
   * Stores `next` only if the incident is still at `expectedVersion`, and records the transition, in one
   * transaction. Returns the stored incident, or `undefined` when another writer got there first.
   */
  transition(
    id: IncidentId,
    expectedVersion: number,
    next: IncidentState,
    record: Omit<TransitionRecord, 'incidentId' | 'version' | 'from' | 'to'>,
  ): Promise<Incident | undefined>;
  history(id: IncidentId): Promise<readonly TransitionRecord[]>;
  /** Idempotent on (incident, cluster, faultId); returns false if the fault was already a member. */
  addMember(member: IncidentMember): Promise<boolean>;
  members(id: IncidentId): Promise<readonly IncidentMember[]>;
  setThread(id: IncidentId, thread: ThreadRef): Promise<void>;
}
