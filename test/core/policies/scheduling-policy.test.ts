import { describe, expect, it } from 'vitest';
import { admitRun, type Load } from '../../../core/domain/policies/admission.ts';
import { allowRun, budgetFor } from '../../../core/domain/policies/budgets.ts';
import {
  closedBreaker,
  recordRunOutcome,
  type BreakerState,
} from '../../../core/domain/policies/circuit-breaker.ts';
import { later, t0 } from '../../fixtures/domain.ts';

const caps = {
  maxConcurrentRuns: 3,
  maxConcurrentRunsPerCluster: 1,
  perCluster: { big: 2 },
  maxRunStartsPerMinute: 4,
};
const idle: Load = { running: 0, runningInCluster: 0, recentStarts: [] };
const breaker = { failureThreshold: 3, probeAfterMs: 60_000 };

describe('run admission', () => {
  it.each<[string, string, Load, string | undefined]>([
    ['an idle system admits', 'prod', idle, undefined],
    ['the global cap holds', 'prod', { ...idle, running: 3 }, 'global_cap'],
    [
      'the per-cluster cap defaults to 1',
      'prod',
      { ...idle, running: 1, runningInCluster: 1 },
      'cluster_cap',
    ],
    ['a cluster override raises it', 'big', { ...idle, running: 1, runningInCluster: 1 }, undefined],
    ['and still caps', 'big', { ...idle, running: 2, runningInCluster: 2 }, 'cluster_cap'],
    [
      'the storm guard counts starts in the last 60 s',
      'prod',
      { ...idle, recentStarts: [0, 1000, 2000, 3000].map((ms) => later(t0, ms)) },
      'storm_guard',
    ],
    [
      'a start exactly 60 s ago has left the window',
      'prod',
      { ...idle, recentStarts: [-60_000, 1000, 2000, 3000].map((ms) => later(t0, ms)) },
      undefined,
    ],
  ])('%s', (_what, cluster, load, reason) => {
    const admission = admitRun(cluster, load, closedBreaker, t0, caps, breaker);
    expect(admission.admit ? undefined : admission.reason).toBe(reason);
  });

  it('tells when the storm guard frees a slot', () => {
    const starts = [0, 1000, 2000, 3000].map((ms) => later(t0, ms));
    const admission = admitRun(
      'prod',
      { ...idle, recentStarts: starts },
      closedBreaker,
      later(t0, 5000),
      caps,
      breaker,
    );
    expect(admission).toMatchObject({ admit: false, retryAt: later(t0, 60_000) });
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, once, with a degraded notice', () => {
    let state: BreakerState = closedBreaker;
    const notices: unknown[] = [];
    for (let i = 0; i < 4; i += 1) {
      const step = recordRunOutcome(state, false, later(t0, i), breaker);
      state = step.breaker;
      notices.push(step.notice);
    }
    expect(notices).toEqual([undefined, undefined, 'degraded', undefined]);
    expect(state.state).toBe('open');
  });

  it('a success in between resets the count', () => {
    let state = recordRunOutcome(closedBreaker, false, t0, breaker).breaker;
    state = recordRunOutcome(state, false, t0, breaker).breaker;
    state = recordRunOutcome(state, true, t0, breaker).breaker;
    state = recordRunOutcome(state, false, t0, breaker).breaker;
    expect(state).toEqual({ state: 'closed', consecutiveFailures: 1 });
  });

  it('pauses runs while open, lets exactly one probe through after the wait, and closes on its success', () => {
    const open: BreakerState = { state: 'open', since: t0, consecutiveFailures: 3 };
    expect(admitRun('prod', idle, open, later(t0, 59_999), caps, breaker)).toMatchObject({
      admit: false,
      reason: 'breaker_open',
    });
    const probe = admitRun('prod', idle, open, later(t0, 60_000), caps, breaker);
    expect(probe).toMatchObject({ admit: true, probe: true, breaker: { state: 'probing' } });
    if (!probe.admit) throw new Error('unreachable');
    expect(admitRun('prod', idle, probe.breaker, later(t0, 60_001), caps, breaker)).toMatchObject({
      admit: false,
    });
    expect(recordRunOutcome(probe.breaker, true, later(t0, 61_000), breaker)).toEqual({
      breaker: closedBreaker,
      notice: 'recovered',
    });
  });

  it('a failed probe opens it again for another wait', () => {
    const probing: BreakerState = { state: 'probing', since: t0, consecutiveFailures: 3 };
    const step = recordRunOutcome(probing, false, later(t0, 5000), breaker);
    expect(step).toEqual({
      breaker: { state: 'open', since: later(t0, 5000), consecutiveFailures: 4 },
      notice: undefined,
    });
  });
});

describe('budgets', () => {
  const settings = {
    default: { wallTimeMs: 600_000, maxTurns: 30, maxCostUsd: 1 },
    bySeverity: { critical: { wallTimeMs: 1_200_000, maxCostUsd: 3 } },
    maxRunsPerIncident: 2,
  };

  it.each<[string, Parameters<typeof budgetFor>[0], object]>([
    ['the default budget', 'warning', { wallTimeMs: 600_000, maxTurns: 30, maxCostUsd: 1 }],
    [
      'a severity override merges over it',
      'critical',
      { wallTimeMs: 1_200_000, maxTurns: 30, maxCostUsd: 3 },
    ],
  ])('%s', (_what, severity, budget) => {
    expect(budgetFor(severity, settings)).toEqual(budget);
  });

  it.each([
    [0, true],
    [1, true],
    [2, false],
  ])('after %i runs another is allowed: %s (limit 2)', (runs, ok) => {
    expect(allowRun('high', runs, settings).ok).toBe(ok);
  });
});
