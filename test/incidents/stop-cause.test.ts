/** What the store says about a run this replica executes decides whether, and why, it stops. */
import { describe, expect, it } from 'vitest';
import { stopCause } from '../../core/services/run-control.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';

describe('stopCause', () => {
  const incident = makeIncident();
  const run = makeRun(incident, { status: 'running' });
  const triaging = { ...incident, state: { status: 'triaging' as const, runId: run.id } };

  it('a run its incident is still triaging goes on', () => {
    expect(stopCause(run, triaging)).toBeUndefined();
  });

  it('a recorded request wins over everything the incident says', () => {
    const by = { kind: 'user', userId: 'U0ALICE' } as const;
    const cancelled = { ...run, cancellation: { by, at: new Date() } };
    expect(stopCause(cancelled, triaging)).toEqual(by);
    expect(stopCause(cancelled, { ...incident, state: { status: 'resolved', reason: 'x' } })).toEqual(by);
  });

  it('a newer run on the incident supersedes it; an ended record or a requeue means it was taken over', () => {
    const newer = makeRun(incident).id;
    expect(stopCause(run, { ...incident, state: { status: 'triaging', runId: newer } })).toEqual({
      kind: 'superseded',
      runId: newer,
    });
    expect(stopCause({ ...run, status: 'failed' }, triaging)).toEqual({ kind: 'lease_lost' });
    expect(stopCause(run, { ...incident, state: { status: 'triage_queued' } })).toEqual({
      kind: 'lease_lost',
    });
  });

  it('an incident resolved, closed or gone stops it as resolved', () => {
    expect(stopCause(run, { ...incident, state: { status: 'resolved', reason: 'faults cleared' } })).toEqual({
      kind: 'resolved',
      detail: 'faults cleared',
    });
    expect(stopCause(run, { ...incident, state: { status: 'closed' } })).toMatchObject({ kind: 'resolved' });
    expect(stopCause(run, undefined)).toMatchObject({ kind: 'resolved' });
    expect(stopCause(undefined, triaging)).toMatchObject({ kind: 'resolved' });
  });
});
