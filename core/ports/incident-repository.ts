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

/** A new incident with its first member, and how a lone fault may fold into its namespace's burst instead. */
export interface OpenRequest {
  /** The incident to create under the fault's own probable cause. */
  readonly incident: Incident;
  /** The fault that opens it (its `incidentId` is taken from whichever incident it ends up in). */
  readonly member: Omit<IncidentMember, 'incidentId' | 'reason'>;
  readonly severity: Severity;
  /**
   * For a lone fault (no workload, no node) in a namespace: when `threshold` standalone incidents opened there
   * since `since`, the fault folds into `incident` (the namespace's burst incident, opened if need be) instead.
   * Counting and opening happen under one lock per cluster and namespace, so concurrent faults decide alike.
   */
  readonly burst?: {
    readonly namespace: string;
    readonly since: Date;
    readonly threshold: number;
    readonly incident: Incident;
  };
}

export type OpenResult =
  /** `incident` was created with the fault as its primary member (`burst`: the namespace's burst incident). */
  | { readonly kind: 'opened'; readonly incident: Incident; readonly burst: boolean }
  /** The namespace's burst incident was already open: the fault joined it. */
  | { readonly kind: 'joined_burst'; readonly incident: Incident; readonly added: boolean }
  /** Another writer opened an incident for the same cause first; nothing was written. */
  | { readonly kind: 'conflict' };

/** A member fault of an open incident with nothing firing, as the quiet re-evaluation sees it. */
export interface ClearMemberRow {
  readonly cluster: string;
  readonly faultId: string;
  /** `${source.kind}:${source.name}` */
  readonly source: string;
  readonly clearedAt: Date;
  readonly resolution?: { readonly reason: string; readonly expired?: boolean };
}

export interface IncidentRepository {
  /**
   * Creates the incident and its first member in one transaction (or folds a lone fault into its namespace's
   * burst, see `OpenRequest.burst`). `conflict` when an open incident already has the same cause.
   */
  open(request: OpenRequest): Promise<OpenResult>;
  /** For each fault id, the most recent incident it was folded into, open or not. */
  lastIncidentsOfFaults(cluster: string, faultIds: readonly string[]): Promise<ReadonlyMap<string, Incident>>;
  /**
   * Open incidents none of whose member faults fires (each member's latest observation is a resolution), with
   * those members; oldest update first, at most `limit`.
   */
  openWithoutFiring(
    limit: number,
  ): Promise<readonly { readonly incident: Incident; readonly members: readonly ClearMemberRow[] }[]>;
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
  /** How many incidents not yet resolved or closed are in each state (states with none are absent). */
  countOpenByStatus(): Promise<Partial<Record<IncidentStatus, number>>>;
}
