/**
 * What a recurrence does to triage. One problem gets one triage: a fault that comes back soon after its incident
 * resolved reopens it (the dedup policy decides that), and when the incident had a triage report that is still
 * fresh the reopened incident goes back to that report instead of asking an agent the same question again.
 */
import type { RunId } from '../ids.ts';

export interface RecurrenceSettings {
  /** A report younger than this still stands when its incident reopens; an older one is triaged again. */
  readonly retriageAfterMs: number;
}

export const defaultRecurrence: RecurrenceSettings = { retriageAfterMs: 30 * 60_000 };

export interface RecurrenceInput {
  readonly now: Date;
  /** The incident's latest successful triage run and when it finished, if it has one. */
  readonly lastReport?: { readonly runId: RunId; readonly finishedAt: Date };
  /** Whether a triage was queued or running when the incident resolved (it was stopped, so nothing concluded). */
  readonly triageCutShort: boolean;
}

export type RecurrenceDecision =
  | { readonly kind: 'resume_report'; readonly runId: RunId; readonly reason: string }
  | { readonly kind: 'retriage'; readonly reason: string };

export function decideRecurrence(
  input: RecurrenceInput,
  settings: RecurrenceSettings = defaultRecurrence,
): RecurrenceDecision {
  const report = input.lastReport;
  if (!report)
    return { kind: 'retriage', reason: 'the fault recurred and the incident has no triage report yet' };
  if (input.triageCutShort)
    return {
      kind: 'retriage',
      reason: 'the fault recurred while a newer triage had been stopped by the resolution',
    };
  const age = input.now.getTime() - report.finishedAt.getTime();
  if (age < settings.retriageAfterMs)
    return {
      kind: 'resume_report',
      runId: report.runId,
      reason: `the fault recurred; the triage report from ${describeAge(age)} ago still stands`,
    };
  return { kind: 'retriage', reason: `the fault recurred and the last report is ${describeAge(age)} old` };
}

function describeAge(ms: number): string {
  if (ms < 120_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
