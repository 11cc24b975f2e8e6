import { describe, expect, it } from 'vitest';
import type { Fault } from '../../core/domain/fault.ts';
import { FaultTracker } from '../../listeners/kube/fault-tracker.ts';
import { passesFilters } from '../../listeners/kube/watch-filters.ts';
import type { GracedFault } from '../../listeners/kube/workload-rules.ts';
import { later, t0 } from '../fixtures/domain.ts';

const crash: GracedFault = {
  class: 'CrashLoopBackOff',
  resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'api-1', uid: 'u1' },
  container: 'app',
  context: {},
};

function tracker(
  settings: Partial<{ graceMs: number; cooldownMs: number; eventTtlMs: number; healthyMs: number }> = {},
) {
  const emitted: Fault[] = [];
  const t = new FaultTracker(
    {
      cluster: 'c',
      sourceName: 'w',
      graceMs: 0,
      cooldownMs: 0,
      eventTtlMs: 1_000,
      healthyMs: 60_000,
      ...settings,
    },
    (fault) => emitted.push(fault),
  );
  return { t, emitted, edges: () => emitted.map((f) => (f.resolved ? 'resolved' : 'firing')) };
}

describe('fault tracker: edges, grace, cooldown', () => {
  it('reports a fault once while it holds, and resolved once when it clears', () => {
    const { t, edges } = tracker();
    t.observe('u1', [crash], t0);
    t.observe('u1', [crash], later(t0, 1));
    t.observe('u1', [], later(t0, 2));
    t.observe('u1', [], later(t0, 3));
    expect(edges()).toEqual(['firing', 'resolved']);
  });

  it('holds a recurrence inside the cooldown and reports it when the cooldown is up', () => {
    const { t, edges } = tracker({ cooldownMs: 10_000 });
    t.observe('u1', [crash], t0);
    t.observe('u1', [], later(t0, 1_000));
    t.observe('u1', [crash], later(t0, 2_000));
    t.sweep(later(t0, 10_999));
    expect(edges()).toEqual(['firing', 'resolved']);
    t.sweep(later(t0, 11_001));
    expect(edges()).toEqual(['firing', 'resolved', 'firing']);
  });

  it('reports a graced condition only once it has lasted the grace period', () => {
    const { t, edges } = tracker({ graceMs: 60_000 });
    const pending: GracedFault = { ...crash, class: 'VolumeProblem', since: t0 };
    t.observe('pvc', [pending], later(t0, 59_999));
    expect(edges()).toEqual([]);
    t.sweep(later(t0, 60_000));
    expect(edges()).toEqual(['firing']);
  });

  it('does not report a graced condition that cleared within the grace period, nor its clearing', () => {
    const { t, edges } = tracker({ graceMs: 60_000 });
    t.observe('pvc', [{ ...crash, class: 'VolumeProblem', since: t0 }], later(t0, 1_000));
    t.observe('pvc', [], later(t0, 2_000));
    t.sweep(later(t0, 120_000));
    expect(edges()).toEqual([]);
  });

  it('resolves an Event-only fault when its Events stop for the TTL', () => {
    const { t, edges } = tracker({ eventTtlMs: 5_000 });
    const probe = { ...crash, class: 'ProbeFailure' as const, container: 'app:liveness' };
    t.observeEvent(probe, t0);
    t.observeEvent(probe, later(t0, 3_000));
    t.sweep(later(t0, 7_999));
    expect(edges()).toEqual(['firing']);
    t.sweep(later(t0, 8_000));
    expect(edges()).toEqual(['firing', 'resolved']);
  });
});

describe('watch filters', () => {
  const object = (namespace: string, labels: Record<string, string> = {}) => ({
    metadata: { namespace, labels },
  });
  it.each<[string, Parameters<typeof passesFilters>[1], ReturnType<typeof object>, boolean]>([
    ['no filters', undefined, object('shop'), true],
    ['an included namespace', { includeNamespaces: ['shop'] }, object('shop'), true],
    ['a namespace not included', { includeNamespaces: ['shop'] }, object('dev'), false],
    ['an excluded namespace', { excludeNamespaces: ['kube-system'] }, object('kube-system'), false],
    ['a required label present', { includeLabels: { team: 'a' } }, object('shop', { team: 'a' }), true],
    ['a required label missing', { includeLabels: { team: 'a' } }, object('shop', { team: 'b' }), false],
    [
      'an excluding label',
      { excludeLabels: { 'watchkeeper.io/ignore': 'true' } },
      object('shop', { 'watchkeeper.io/ignore': 'true' }),
      false,
    ],
  ])('%s', (_what, filters, candidate, passes) => {
    expect(passesFilters(candidate, filters)).toBe(passes);
  });
});
