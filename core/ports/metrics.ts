/**
 * What the core tells the operator's metrics, as named recordings of plain values (the adapter in bot/metrics
 * maps them to Prometheus). Every label value here comes from a closed set or from the configuration, never from
 * a fault, a pod or an incident, so the number of series stays small whatever a cluster sends.
 */
import type { FaultClass, FaultSourceRef } from '../domain/fault.ts';
import type { RunFailureReason } from '../domain/run.ts';
import type { Usage } from '../domain/usage.ts';

/** How intake settled one fault observation (`new`: it opened an incident; `flapping`: a flapping clear). */
export const faultOutcomes = [
  'new',
  'joined',
  'reopened',
  'already_member',
  'refined',
  'duplicate',
  'silenced',
  'flapping',
  'resolved',
  'cleared',
] as const;
export type FaultOutcome = (typeof faultOutcomes)[number];

/** How a triage run ended: `succeeded` or its failure reason. */
export type RunOutcome = 'succeeded' | RunFailureReason;

export interface RunEnded {
  /** The agent profile's name (configured, so bounded). */
  readonly agent: string;
  readonly outcome: RunOutcome;
  /** From the run's start to its end; absent when the run never started. */
  readonly durationMs?: number;
  readonly usage?: Usage;
  /** From the incident's first fault to this run's report (successful runs only). */
  readonly faultToReportMs?: number;
}

export type SlackCallResult = 'ok' | 'rate_limited' | 'error';

export interface Metrics {
  faultSettled(
    fault: { readonly source: FaultSourceRef; readonly class: FaultClass },
    outcome: FaultOutcome,
  ): void;
  runEnded(run: RunEnded): void;
  /** An incident's card was posted for the first time, this long after its first fault arrived. */
  firstSlackPost(faultToPostMs: number): void;
  /** One HTTP request to the Slack Web API (each retry is a request of its own). */
  slackCall(method: string, result: SlackCallResult): void;
}
