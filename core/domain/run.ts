import type { IncidentId, RunId } from './ids.ts';
import type { Usage } from './usage.ts';

export const runStatuses = ['queued', 'starting', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Closed set of reasons a run fails; used as metric labels and translated to user text in bot/. */
export const runFailureReasons = [
  'timeout',
  'max_turns',
  'auth',
  'crashed',
  'invalid_report',
  'cancelled',
  'sandbox_error',
  'lost',
  'budget_spent',
] as const;
export type RunFailureReason = (typeof runFailureReasons)[number];

/** Failures that say nothing about whether agents work (a person cancelled, Watchkeeper restarted, a budget). */
export const neutralFailureReasons: readonly RunFailureReason[] = ['cancelled', 'lost', 'budget_spent'];

export type RunPurpose = 'triage' | 'second_opinion' | 'follow_up' | 'remediation';

/** What a person (or the system) asks for when queueing a run: which agent, and why beyond a plain triage. */
export interface TriageRequest {
  /** The agent profile; the configured default when absent. */
  readonly agent?: string;
  /** `second_opinion` compares its conclusion with the previous report; `follow_up` answers `question`. */
  readonly purpose?: 'triage' | 'second_opinion' | 'follow_up';
  readonly question?: string;
}

export interface RunFailure {
  readonly reason: RunFailureReason;
  readonly detail: string;
}

/**
 * Who or what stopped a run before its end: a person (Resolve in Slack), the incident resolving by itself, a
 * newer run of the same incident, this replica losing its claim on the work, or Watchkeeper shutting down.
 */
export type CancelledBy =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'resolved'; readonly detail: string }
  | { readonly kind: 'superseded'; readonly runId: RunId }
  | { readonly kind: 'lease_lost' }
  | { readonly kind: 'shutdown' };

export interface RunCancellation {
  readonly by: CancelledBy;
  /** When it was asked for (the run may take a moment longer to stop). */
  readonly at: Date;
}

/** Plain words for logs and failure details; Slack renders a user as a mention instead. */
export function describeCancelledBy(by: CancelledBy): string {
  switch (by.kind) {
    case 'user':
      return by.userId;
    case 'resolved':
      return 'resolved';
    case 'superseded':
      return `superseded by run ${by.runId}`;
    case 'lease_lost':
      return 'lease lost';
    case 'shutdown':
      return 'shutdown';
  }
}

/** Where a run executes, recorded so a restarted Watchkeeper can find (and re-attach to or stop) it. */
export type SandboxRef =
  | { readonly kind: 'local'; readonly pid: number; readonly host: string }
  | { readonly kind: 'kubernetes-job'; readonly namespace: string; readonly name: string };

export interface TriageRun {
  readonly id: RunId;
  readonly incidentId: IncidentId;
  readonly purpose: RunPurpose;
  /** The agent profile name from config, e.g. `claude-code`. */
  readonly agent: string;
  readonly runner: 'local' | 'kubernetes-job';
  /** The incident's cluster (per-cluster caps count runs by it). */
  readonly cluster: string;
  readonly sandbox?: SandboxRef;
  /** The Watchkeeper process (host:pid:boot) that started the run. */
  readonly owner?: string;
  readonly status: RunStatus;
  readonly attempt: number;
  readonly question?: string;
  readonly model?: string;
  readonly createdAt: Date;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly usage?: Usage;
  /** Key of the report in the report store, set when the run succeeded. */
  readonly reportKey?: string;
  readonly failure?: RunFailure;
  /** Set once a stop was asked for; the first cause wins. */
  readonly cancellation?: RunCancellation;
}
