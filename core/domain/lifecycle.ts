import type { IncidentEvent } from './incident-event.ts';
import type { IncidentState, IncidentStatus } from './incident-state.ts';
import { isOpen } from './incident-state.ts';
import type { RemediationRequestId, RunId } from './ids.ts';
import type { CancelledBy, TriageRequest } from './run.ts';

/** Work a transition asks the services to do; `decide()` itself does none. */
export type IncidentEffect =
  | ({ readonly type: 'enqueue_triage' } & TriageRequest)
  | { readonly type: 'cancel_run'; readonly runId: RunId; readonly by: CancelledBy }
  | { readonly type: 'execute_remediation'; readonly requestId: RemediationRequestId };

export interface IllegalTransition {
  readonly kind: 'illegal_transition';
  readonly from: IncidentStatus;
  readonly event: IncidentEvent['type'];
  readonly message: string;
}

export type Decision =
  | { readonly ok: true; readonly state: IncidentState; readonly effects: readonly IncidentEffect[] }
  | { readonly ok: false; readonly error: IllegalTransition };

const apply = (state: IncidentState, ...effects: IncidentEffect[]): Decision => ({
  ok: true,
  state,
  effects,
});

const reject = (state: IncidentState, event: IncidentEvent, why: string): Decision => ({
  ok: false,
  error: {
    kind: 'illegal_transition',
    from: state.status,
    event: event.type,
    message: `cannot apply ${event.type} to an incident that is ${state.status}: ${why}`,
  },
});

const triageRequestableFrom: readonly IncidentStatus[] = [
  'detected',
  'reported',
  'triage_failed',
  'remediation_denied',
  'remediated',
  'remediation_failed',
  'resolved',
];
const proposableFrom: readonly IncidentStatus[] = ['reported', 'remediation_denied', 'remediation_failed'];

/**
 * The incident lifecycle as a pure function: the next state and the effects to run, or a typed rejection.
 * Events about a run or a remediation request must name the one the incident is currently on, so a late
 * message about an older run can never move the incident.
 */
export function decide(state: IncidentState, event: IncidentEvent): Decision {
  switch (event.type) {
    case 'fault.folded':
      return isOpen(state)
        ? apply(state)
        : reject(state, event, 'a new fault after resolution reopens instead');
    case 'triage.requested': {
      if (!triageRequestableFrom.includes(state.status)) {
        return reject(state, event, 'a triage is already queued, running, or a remediation is pending');
      }
      const queued: TriageRequest = {
        ...(event.agent !== undefined && { agent: event.agent }),
        ...(event.purpose !== undefined && event.purpose !== 'triage' && { purpose: event.purpose }),
        ...(event.question !== undefined && { question: event.question }),
      };
      return apply({ status: 'triage_queued', ...queued }, { type: 'enqueue_triage', ...queued });
    }
    case 'triage.started':
      return state.status === 'triage_queued'
        ? apply({ status: 'triaging', runId: event.runId })
        : reject(state, event, 'no triage is queued');
    case 'triage.succeeded':
      return onCurrentRun(state, event, event.runId, () => apply({ status: 'reported', runId: event.runId }));
    case 'triage.failed':
      return onCurrentRun(state, event, event.runId, () =>
        apply({ status: 'triage_failed', runId: event.runId, reason: event.reason }),
      );
    case 'triage.requeued':
      return onCurrentRun(state, event, event.runId, () =>
        apply({ status: 'triage_queued' }, { type: 'enqueue_triage' }),
      );
    case 'remediation.proposed':
      return proposableFrom.includes(state.status)
        ? apply({ status: 'remediation_proposed', requestId: event.requestId })
        : reject(state, event, 'remediation can only be proposed after a triage report');
    case 'remediation.approved':
      return onRequest(state, event, ['remediation_proposed'], event.requestId, () =>
        apply(
          { status: 'remediation_approved', requestId: event.requestId },
          { type: 'execute_remediation', requestId: event.requestId },
        ),
      );
    case 'remediation.denied':
      return onRequest(state, event, ['remediation_proposed'], event.requestId, () =>
        apply({ status: 'remediation_denied', requestId: event.requestId }),
      );
    case 'remediation.started':
      return onRequest(state, event, ['remediation_approved'], event.requestId, () =>
        apply({ status: 'remediating', requestId: event.requestId }),
      );
    case 'remediation.succeeded':
      return onRequest(state, event, ['remediating'], event.requestId, () =>
        apply({ status: 'remediated', requestId: event.requestId }),
      );
    case 'remediation.failed':
      return onRequest(state, event, ['remediation_approved', 'remediating'], event.requestId, () =>
        apply({ status: 'remediation_failed', requestId: event.requestId, reason: event.reason }),
      );
    case 'incident.resolved':
      return resolve(state, event);
    case 'incident.closed':
      return state.status === 'resolved'
        ? apply({ status: 'closed' })
        : reject(state, event, 'only resolved incidents close');
    case 'incident.reopened':
      return isOpen(state)
        ? reject(state, event, 'the incident is still open')
        : apply(
            event.resumeRunId !== undefined
              ? { status: 'reported', runId: event.resumeRunId }
              : { status: 'detected' },
          );
  }
}

function resolve(
  state: IncidentState,
  event: Extract<IncidentEvent, { type: 'incident.resolved' }>,
): Decision {
  if (!isOpen(state)) return reject(state, event, 'the incident is already resolved');
  if (state.status === 'remediating') return reject(state, event, 'wait for the remediation to be verified');
  const resolved: IncidentState = { status: 'resolved', reason: event.reason };
  if (state.status !== 'triaging') return apply(resolved);
  const by: CancelledBy =
    event.actor.type === 'slack-user'
      ? { kind: 'user', userId: event.actor.userId }
      : { kind: 'resolved', detail: event.reason };
  return apply(resolved, { type: 'cancel_run', runId: state.runId, by });
}

function onCurrentRun(
  state: IncidentState,
  event: IncidentEvent,
  runId: RunId,
  next: () => Decision,
): Decision {
  if (state.status !== 'triaging') return reject(state, event, 'no triage is running');
  return state.runId === runId
    ? next()
    : reject(state, event, `run ${runId} is not the current run ${state.runId}`);
}

function onRequest(
  state: IncidentState,
  event: IncidentEvent,
  from: readonly IncidentStatus[],
  requestId: RemediationRequestId,
  next: () => Decision,
): Decision {
  if (!from.includes(state.status) || !('requestId' in state)) {
    return reject(state, event, `expected ${from.join(' or ')}`);
  }
  return state.requestId === requestId
    ? next()
    : reject(state, event, `request ${requestId} is not the current request ${state.requestId}`);
}
