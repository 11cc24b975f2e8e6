import type { IncidentId } from './ids.ts';
import type { IncidentState } from './incident-state.ts';
import type { ResourceRef } from './resource.ts';
import type { Severity } from './severity.ts';

/** Where the incident's Slack thread lives, once the bot has posted it. */
export interface ThreadRef {
  readonly channel: string;
  readonly ts: string;
}

export interface Incident {
  readonly id: IncidentId;
  /** The probable-cause key faults are folded under (unique among open incidents). */
  readonly fingerprint: string;
  readonly cluster: string;
  readonly severity: Severity;
  readonly title: string;
  readonly primaryResource: ResourceRef;
  readonly state: IncidentState;
  /** How many distinct faults are folded into this incident. */
  readonly faultCount: number;
  readonly thread?: ThreadRef;
  /** The incident this one follows, when a fault recurred after the reopen window. */
  readonly previousIncidentId?: IncidentId;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly resolvedAt?: Date;
  readonly closedAt?: Date;
  /** Optimistic-concurrency counter, bumped by every stored transition. */
  readonly version: number;
}

/** Why a fault was folded into an incident; shown on the card and in the report. */
export const foldReasons = [
  'primary',
  'same_fault',
  'same_resource',
  'same_owner_workload',
  'same_node',
  'namespace_burst',
  'manual',
] as const;
export type FoldReason = (typeof foldReasons)[number];

/** How the card and the report explain why a fault is part of the incident. */
export const foldReasonText: Record<FoldReason, string> = {
  primary: 'the fault that opened the incident',
  same_fault: 'the same fault again',
  same_resource: 'another fault of the same resource',
  same_owner_workload: 'a pod of the same workload',
  same_node: 'runs on the failing node',
  namespace_burst: 'part of a burst of faults in the namespace',
  manual: 'added by a person',
};

export interface IncidentMember {
  readonly incidentId: IncidentId;
  readonly cluster: string;
  readonly faultId: string;
  readonly reason: FoldReason;
  readonly joinedAt: Date;
}
