/** What the metrics record of a run that ended, from the run, its result and (when it reported) its incident. */
import type { Incident } from '../domain/incident.ts';
import type { TriageRun } from '../domain/run.ts';
import type { RunEnded } from '../ports/metrics.ts';
import type { RunResult } from '../ports/triage-launcher.ts';

export function runEndedOf(
  run: TriageRun,
  result: RunResult,
  finishedAt: Date,
  incident?: Incident,
): RunEnded {
  const end = finishedAt.getTime();
  return {
    agent: run.agent,
    outcome: result.ok ? 'succeeded' : result.failure.reason,
    ...(run.startedAt && { durationMs: Math.max(0, end - run.startedAt.getTime()) }),
    ...(result.usage && { usage: result.usage }),
    ...(result.ok && incident && { faultToReportMs: Math.max(0, end - incident.createdAt.getTime()) }),
  };
}
