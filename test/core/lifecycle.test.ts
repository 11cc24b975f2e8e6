import { describe, expect, it } from 'vitest';
import type { Actor } from '../../core/domain/actor.ts';
import { asRemediationRequestId, asRunId } from '../../core/domain/ids.ts';
import type { IncidentEvent } from '../../core/domain/incident-event.ts';
import type { IncidentState, IncidentStatus } from '../../core/domain/incident-state.ts';
import { incidentStatuses } from '../../core/domain/incident-state.ts';
import type { IncidentEffect } from '../../core/domain/lifecycle.ts';
import { decide } from '../../core/domain/lifecycle.ts';

const at = new Date('2026-11-24T10:00:00Z');
const actor: Actor = { type: 'system', component: 'test' };
const run = asRunId('run-1');
const otherRun = asRunId('run-0');
const req = asRemediationRequestId('req-1');
const otherReq = asRemediationRequestId('req-0');

/** One representative state per status, carrying the current run or request where the state has one. */
const stateOf: Record<IncidentStatus, IncidentState> = {
  detected: { status: 'detected' },
  triage_queued: { status: 'triage_queued' },
  triaging: { status: 'triaging', runId: run },
  reported: { status: 'reported', runId: run },
  triage_failed: { status: 'triage_failed', runId: run, reason: 'timeout' },
  remediation_proposed: { status: 'remediation_proposed', requestId: req },
  remediation_approved: { status: 'remediation_approved', requestId: req },
  remediation_denied: { status: 'remediation_denied', requestId: req },
  remediating: { status: 'remediating', requestId: req },
  remediated: { status: 'remediated', requestId: req },
  remediation_failed: { status: 'remediation_failed', requestId: req, reason: 'rollout stuck' },
  resolved: { status: 'resolved', reason: 'fault cleared' },
  closed: { status: 'closed' },
};

type EventOf<T extends IncidentEvent['type']> = Omit<Extract<IncidentEvent, { type: T }>, 'at' | 'actor'>;
const ev = <T extends IncidentEvent['type']>(e: EventOf<T> & { type: T }): IncidentEvent =>
  ({ ...e, at, actor }) as IncidentEvent;

const events = {
  folded: ev({ type: 'fault.folded', faultId: 'f-2' }),
  requested: ev({ type: 'triage.requested', reason: 'new incident' }),
  requestedWithAgent: ev({ type: 'triage.requested', reason: 'second opinion', agent: 'codex' }),
  started: ev({ type: 'triage.started', runId: run }),
  succeeded: ev({ type: 'triage.succeeded', runId: run }),
  failed: ev({ type: 'triage.failed', runId: run, reason: 'timeout' }),
  requeued: ev({ type: 'triage.requeued', runId: run, reason: 'process restarted' }),
  proposed: ev({ type: 'remediation.proposed', requestId: req }),
  approved: ev({ type: 'remediation.approved', requestId: req }),
  denied: ev({ type: 'remediation.denied', requestId: req }),
  remStarted: ev({ type: 'remediation.started', requestId: req }),
  remSucceeded: ev({ type: 'remediation.succeeded', requestId: req }),
  remFailed: ev({ type: 'remediation.failed', requestId: req, reason: 'verification timed out' }),
  resolved: ev({ type: 'incident.resolved', reason: 'fault cleared' }),
  closed: ev({ type: 'incident.closed' }),
  reopened: ev({ type: 'incident.reopened', faultId: 'f-1' }),
} satisfies Record<string, IncidentEvent>;
type EventName = keyof typeof events;

/** Every legal transition: from, event, resulting state, effects. Anything not listed here must be rejected. */
const legal: [IncidentStatus, EventName, IncidentState, IncidentEffect[]][] = [
  ...(
    [
      'detected',
      'triage_queued',
      'triaging',
      'reported',
      'triage_failed',
      'remediation_proposed',
      'remediation_approved',
      'remediation_denied',
      'remediating',
      'remediated',
      'remediation_failed',
    ] as const
  ).map((s): [IncidentStatus, EventName, IncidentState, IncidentEffect[]] => [s, 'folded', stateOf[s], []]),
  ...(
    [
      'detected',
      'reported',
      'triage_failed',
      'remediation_denied',
      'remediated',
      'remediation_failed',
      'resolved',
    ] as const
  ).flatMap((s): [IncidentStatus, EventName, IncidentState, IncidentEffect[]][] => [
    [s, 'requested', { status: 'triage_queued' }, [{ type: 'enqueue_triage' }]],
    [
      s,
      'requestedWithAgent',
      { status: 'triage_queued', agent: 'codex' },
      [{ type: 'enqueue_triage', agent: 'codex' }],
    ],
  ]),
  ['triage_queued', 'started', { status: 'triaging', runId: run }, []],
  ['triaging', 'succeeded', { status: 'reported', runId: run }, []],
  ['triaging', 'failed', { status: 'triage_failed', runId: run, reason: 'timeout' }, []],
  ['triaging', 'requeued', { status: 'triage_queued' }, [{ type: 'enqueue_triage' }]],
  ...(['reported', 'remediation_denied', 'remediation_failed'] as const).map(
    (s): [IncidentStatus, EventName, IncidentState, IncidentEffect[]] => [
      s,
      'proposed',
      { status: 'remediation_proposed', requestId: req },
      [],
    ],
  ),
  [
    'remediation_proposed',
    'approved',
    { status: 'remediation_approved', requestId: req },
    [{ type: 'execute_remediation', requestId: req }],
  ],
  ['remediation_proposed', 'denied', { status: 'remediation_denied', requestId: req }, []],
  ['remediation_approved', 'remStarted', { status: 'remediating', requestId: req }, []],
  ['remediating', 'remSucceeded', { status: 'remediated', requestId: req }, []],
  [
    'remediating',
    'remFailed',
    { status: 'remediation_failed', requestId: req, reason: 'verification timed out' },
    [],
  ],
  [
    'remediation_approved',
    'remFailed',
    { status: 'remediation_failed', requestId: req, reason: 'verification timed out' },
    [],
  ],
  ...(
    [
      'detected',
      'triage_queued',
      'reported',
      'triage_failed',
      'remediation_proposed',
      'remediation_approved',
      'remediation_denied',
      'remediated',
      'remediation_failed',
    ] as const
  ).map((s): [IncidentStatus, EventName, IncidentState, IncidentEffect[]] => [
    s,
    'resolved',
    { status: 'resolved', reason: 'fault cleared' },
    [],
  ]),
  [
    'triaging',
    'resolved',
    { status: 'resolved', reason: 'fault cleared' },
    [{ type: 'cancel_run', runId: run, by: { kind: 'resolved', detail: 'fault cleared' } }],
  ],
  ['resolved', 'closed', { status: 'closed' }, []],
  ['resolved', 'reopened', { status: 'detected' }, []],
  ['closed', 'reopened', { status: 'detected' }, []],
];

const legalKeys = new Set(legal.map(([from, event]) => `${from}:${event}`));
const illegal = incidentStatuses.flatMap((from) =>
  (Object.keys(events) as EventName[])
    .filter((e) => !legalKeys.has(`${from}:${e}`))
    .map((e) => [from, e] as const),
);

describe('incident lifecycle decide()', () => {
  it.each(legal)('%s --%s--> allowed', (from, event, next, effects) => {
    const decision = decide(stateOf[from], events[event]);
    expect(decision).toEqual({ ok: true, state: next, effects });
  });

  it.each(illegal)('%s --%s--> rejected with a typed error', (from, event) => {
    const decision = decide(stateOf[from], events[event]);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.error).toMatchObject({ kind: 'illegal_transition', from, event: events[event].type });
    expect(decision.error.message).toContain(`that is ${from}`);
  });

  it('covers every status and event pair exactly once', () => {
    expect(legal.length + illegal.length).toBe(incidentStatuses.length * Object.keys(events).length);
  });

  it('a person resolving a triaging incident cancels its run in their name', () => {
    const decision = decide(stateOf.triaging, {
      type: 'incident.resolved',
      reason: 'resolved in Slack by U0ALICE',
      at,
      actor: { type: 'slack-user', userId: 'U0ALICE' },
    });
    expect(decision).toMatchObject({
      ok: true,
      effects: [{ type: 'cancel_run', runId: run, by: { kind: 'user', userId: 'U0ALICE' } }],
    });
  });

  it.each([
    ['triaging', ev({ type: 'triage.succeeded', runId: otherRun })],
    ['triaging', ev({ type: 'triage.failed', runId: otherRun, reason: 'late' })],
    ['triaging', ev({ type: 'triage.requeued', runId: otherRun, reason: 'late' })],
    ['remediation_proposed', ev({ type: 'remediation.approved', requestId: otherReq })],
    ['remediation_proposed', ev({ type: 'remediation.denied', requestId: otherReq })],
    ['remediation_approved', ev({ type: 'remediation.started', requestId: otherReq })],
    ['remediating', ev({ type: 'remediation.succeeded', requestId: otherReq })],
  ] as const)('a late event about another run or request cannot move a %s incident', (from, event) => {
    const decision = decide(stateOf[from], event);
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.error.message).toMatch(/is not the current (run|request)/);
  });
});
