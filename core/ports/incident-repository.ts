import type { Actor } from '../domain/actor.ts';
import type { IncidentId } from '../domain/ids.ts';
import type { Incident, IncidentMember, ThreadRef } from '../domain/incident.ts';
import type { IncidentEvent } from '../domain/incident-event.ts';
import type { IncidentState, IncidentStatus } from '../domain/incident-state.ts';
import type { Severity } from '../domain/severity.ts';

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
  readonly publishedAt?: Date;
}

export interface IncidentListFilter {
  readonly statuses?: readonly IncidentStatus[];
  readonly cluster?: string;
  /** Only incidents resolved before this instant (oldest first). */
  readonly resolvedBefore?: Date;
  readonly limit?: number;
}

export interface IncidentRepository {
  /** Fails with a `conflict` StoreError when an open incident already has this cluster and fingerprint. */
  create(incident: Incident): Promise<void>;
  get(id: IncidentId): Promise<Incident | undefined>;
  findOpenByFingerprint(cluster: string, fingerprint: string): Promise<Incident | undefined>;
  findOpenByFingerprints(cluster: string, fingerprints: readonly string[]): Promise<readonly Incident[]>;
  list(filter?: IncidentListFilter): Promise<readonly Incident[]>;
  /**
   * Stores `next` only if the incident is still at `expectedVersion`, and records the transition, in one
   * transaction. Returns the stored incident, or `undefined` when another writer got there first.
   */
  transition(
    id: IncidentId,
    expectedVersion: number,
    next: IncidentState,
    /** `from` is the status the caller decided on; the version check guarantees it is still current. */
    record: Omit<TransitionRecord, 'incidentId' | 'version' | 'to'>,
  ): Promise<Incident | undefined>;
  history(id: IncidentId): Promise<readonly TransitionRecord[]>;
  /** Transitions not yet published on the bus, oldest first (the notification outbox). */
  unpublished(limit: number): Promise<readonly TransitionRecord[]>;
  markPublished(id: IncidentId, version: number, at: Date): Promise<void>;
  /**
   * Idempotent on (incident, cluster, faultId); returns false if the fault was already a member. A new member
   * raises the incident's severity to `severity` when that is more urgent.
   */
  addMember(member: IncidentMember, severity?: Severity): Promise<boolean>;
  /** `addMember` for many faults in one statement (no severity change); returns the members actually added. */
  addMembers(members: readonly IncidentMember[]): Promise<readonly IncidentMember[]>;
  members(id: IncidentId): Promise<readonly IncidentMember[]>;
  setThread(id: IncidentId, thread: ThreadRef): Promise<void>;
  /** The most recent incident the fault was folded into, open or not. */
  lastIncidentOfFault(cluster: string, faultId: string): Promise<Incident | undefined>;
  /** Incidents opened since `since` for a single resource (no workload, no node) in a namespace. */
  countStandaloneSince(cluster: string, namespace: string, since: Date): Promise<number>;
  /** Raises the incident's severity to `severity` if that is more urgent; never lowers it. */
  raiseSeverity(id: IncidentId, severity: Severity): Promise<void>;
  /** Faults of the incident that have not cleared (their latest observation is not `resolved`). */
  countFiringMembers(id: IncidentId): Promise<number>;
}
