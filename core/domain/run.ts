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
}
