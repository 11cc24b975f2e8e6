import { describe, expect, it } from 'vitest';
import { asRunId } from '../../../core/domain/ids.ts';
import type { Incident } from '../../../core/domain/incident.ts';
import { decideDedup } from '../../../core/domain/policies/dedup.ts';
import { later, makeIncident, t0 } from '../../fixtures/domain.ts';

const window = { reopenWindowMs: 30 * 60_000 };
const resolvedAt = (ms: number): Incident =>
  makeIncident({ state: { status: 'resolved', reason: 'fault cleared' }, resolvedAt: later(t0, ms) });
const open = makeIncident({ state: { status: 'triaging', runId: asRunId('r1') } });
const closed = makeIncident({ state: { status: 'closed' }, resolvedAt: t0, closedAt: later(t0, 1000) });

describe('dedup', () => {
  it.each<[string, Parameters<typeof decideDedup>[0], string]>([
    ['a first-seen fault with no open cause opens an incident', { now: t0 }, 'open'],
    [
      'a fault already in an open incident stays there',
      { now: t0, lastIncidentOfFault: open },
      'already_member',
    ],
    ['a new fault with an open cause joins it', { now: t0, openIncidentForCause: open }, 'join'],
    [
      'a recurrence 1 ms inside the reopen window reopens',
      { now: later(t0, 30 * 60_000 - 1), lastIncidentOfFault: resolvedAt(0) },
      'reopen',
    ],
    [
      'a recurrence exactly at the window edge still reopens',
      { now: later(t0, 30 * 60_000), lastIncidentOfFault: resolvedAt(0) },
      'reopen',
    ],
    [
      'a recurrence 1 ms after the window opens a new incident',
      { now: later(t0, 30 * 60_000 + 1), lastIncidentOfFault: resolvedAt(0) },
      'open',
    ],
    [
      'a recurrence after close opens a new incident',
      { now: later(t0, 5000), lastIncidentOfFault: closed },
      'open',
    ],
    [
      'a recurrence joins an open incident of its cause rather than reopening its own',
      { now: later(t0, 1000), lastIncidentOfFault: resolvedAt(0), openIncidentForCause: open },
      'join',
    ],
  ])('%s', (_what, input, kind) => {
    expect(decideDedup(input, window).kind).toBe(kind);
  });

  it('links a new incident to the one the fault was in before', () => {
    const old = resolvedAt(0);
    expect(decideDedup({ now: later(t0, 3_600_000), lastIncidentOfFault: old }, window)).toEqual({
      kind: 'open',
      previousIncidentId: old.id,
    });
  });
});
