/**
 * Fold, reopen: a fault that recurs inside the reopen window reopens its resolved incident. One problem gets one
 * triage: when the incident's report is still fresh it goes back to `reported` on it instead of triaging again.
 */
import type { IncidentId } from '../../domain/ids.ts';
import { decideRecurrence } from '../../domain/policies/recurrence.ts';
import type { IntakeDeps, IntakeOutcome, LocatedItem } from './intake-item.ts';
import { sourceActor } from './open.ts';

const concluding = new Set(['triage', 'second_opinion', 'follow_up']);
const inFlight = new Set(['triage_queued', 'triaging']);

/** `retry`: something else reopened or closed the incident meanwhile; look again. */
export async function reopenIncident(
  item: LocatedItem,
  incidentId: IncidentId,
  deps: IntakeDeps,
): Promise<IntakeOutcome | 'retry'> {
  const { fault, now } = item;
  const runs = await deps.store.runs.listByIncident(incidentId);
  const report = runs.filter((run) => run.status === 'succeeded' && concluding.has(run.purpose)).at(-1);
  const resolvedFrom = (await deps.store.incidents.history(incidentId))
    .filter((t) => t.to === 'resolved')
    .at(-1)?.from;
  const decision = decideRecurrence(
    {
      now,
      ...(report && { lastReport: { runId: report.id, finishedAt: report.finishedAt ?? report.createdAt } }),
      triageCutShort: resolvedFrom !== undefined && inFlight.has(resolvedFrom),
    },
    deps.settings,
  );
  const reopened = await deps.lifecycle.apply(
    incidentId,
    {
      type: 'incident.reopened',
      at: now,
      actor: sourceActor(fault),
      faultId: fault.faultId,
      ...(decision.kind === 'resume_report' && { resumeRunId: decision.runId }),
    },
    `${fault.class} came back on ${fault.resource.name}; ${decision.reason}`,
  );
  if (!reopened.ok) return 'retry';
  if (decision.kind === 'retriage') {
    await deps.lifecycle.apply(
      incidentId,
      {
        type: 'triage.requested',
        at: now,
        actor: { type: 'system', component: 'intake' },
        agent: item.agent ?? deps.settings.defaultAgent,
        reason: 'recurrence',
      },
      decision.reason,
    );
  }
  return {
    kind: 'reopened',
    incidentId,
    retriaged: decision.kind === 'retriage',
    message: `reopened incident ${incidentId}: ${decision.reason}`,
  };
}
