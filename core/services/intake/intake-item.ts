/**
 * What flows through the intake pipeline: one item per fault observation, gaining typed facts stage by stage,
 * until a stage settles it with an outcome. Every outcome carries a sentence a person can read (`message`).
 */
import type { Fault } from '../../domain/fault.ts';
import type { IncidentId } from '../../domain/ids.ts';
import type { FoldReason, Incident } from '../../domain/incident.ts';
import type { ProbableCause } from '../../domain/policies/correlation.ts';
import type { Destination } from '../../domain/policies/pick-cause.ts';
import type { Bus } from '../../ports/bus.ts';
import type { FaultRecord } from '../../ports/fault-repository.ts';
import type { IdGen } from '../../ports/id-gen.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import type { IncidentSettings } from '../incident-settings.ts';
import type { LifecycleService } from '../lifecycle-service.ts';

export type IntakeOutcome =
  | { readonly kind: 'duplicate'; readonly message: string }
  | { readonly kind: 'silenced'; readonly silenceId: string; readonly message: string }
  | {
      readonly kind: 'opened';
      readonly incidentId: IncidentId;
      readonly cause: ProbableCause;
      readonly message: string;
    }
  | {
      readonly kind: 'joined';
      readonly incidentId: IncidentId;
      readonly reason: FoldReason;
      readonly message: string;
    }
  | {
      readonly kind: 'reopened';
      readonly incidentId: IncidentId;
      readonly retriaged: boolean;
      readonly message: string;
    }
  | { readonly kind: 'already_member'; readonly incidentId: IncidentId; readonly message: string }
  /** A firing member's class changed (ContainerErrorExit → CrashLoopBackOff → OOMKilled): the same problem. */
  | {
      readonly kind: 'refined';
      readonly incidentId: IncidentId;
      readonly from: Fault['class'];
      readonly to: Fault['class'];
      readonly message: string;
    }
  | { readonly kind: 'resolved'; readonly incidentId: IncidentId; readonly message: string }
  | {
      readonly kind: 'cleared';
      readonly incidentId?: IncidentId;
      readonly note: string;
      /** The fault is flapping: its clear leaves the incident open until the quiet period passes. */
      readonly flapping?: true;
      readonly message: string;
    };

export type IntakeOutcomeKind = IntakeOutcome['kind'];

export interface IntakeItem {
  /** The observation as intake stores it: severity rules applied, owners inferred when the source sent none. */
  readonly fault: Fault;
  /** The agent profile a person picked for the triage this fault may open. */
  readonly agent?: string;
  readonly now: Date;
}

export interface RecordedItem extends IntakeItem {
  readonly record: FaultRecord;
}

export interface RefinedItem extends RecordedItem {
  /** Whether the fault is flapping (many state changes in the flap window). */
  readonly flapping: boolean;
  /** The most recent incident the fault was folded into (looked up for faults seen before). */
  readonly lastIncident?: Incident;
}

export interface LocatedItem extends RefinedItem {
  readonly destination: Destination;
}

export interface IntakeDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly ids: IdGen;
  readonly logger: Logger;
  readonly lifecycle: LifecycleService;
  readonly settings: IncidentSettings;
}

/** Settles an item with its outcome; each item is settled exactly once. */
export type Settle = (item: IntakeItem, outcome: IntakeOutcome) => void;

export const faultKey = (fault: Pick<Fault, 'cluster' | 'faultId'>): string =>
  `${fault.cluster}\u0000${fault.faultId}`;

export const sourceOf = (fault: Fault): string => `${fault.source.kind}:${fault.source.name}`;

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
