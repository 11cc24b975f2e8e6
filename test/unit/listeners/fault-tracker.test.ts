import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../../core/domain/fault.ts';
import { FaultTracker } from '../../../listeners/kube/fault-tracker.ts';
import { containerHealth, podFaults } from '../../../listeners/kube/pod-rules.ts';
import { passesFilters } from '../../../listeners/kube/watch-filters.ts';
import type { GracedFault } from '../../../listeners/kube/workload-rules.ts';
import { later, t0 } from '../../fixtures/domain.ts';
import { crashCycles, crashLoop, imagePull } from '../../intake/kubelet-dynamics.ts';

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

  it('holds a probe fault whose Events went quiet while its container is still not ready', () => {
    // A real kubelet's event spam filter stops sending a probe's Unhealthy Events after a burst.
    const { t, edges } = tracker({ eventTtlMs: 5_000 });
    const probe = { ...crash, class: 'ProbeFailure' as const, container: 'app:readiness' };
    const app = (healthy: boolean) => new Map([['app', { restartCount: 0, started: true, healthy }]]);
    t.observe('u1', [], t0, app(false));
    t.observeEvent(probe, t0);
    t.sweep(later(t0, 60_000));
    expect(edges()).toEqual(['firing']);
    t.observe('u1', [], later(t0, 61_000), app(true));
    t.sweep(later(t0, 61_001));
    expect(edges()).toEqual(['firing', 'resolved']);
  });

  it('resolves a probe fault at once when its pod is deleted', () => {
    const { t, edges } = tracker({ eventTtlMs: 600_000 });
    const probe = { ...crash, class: 'ProbeFailure' as const, container: 'app:readiness' };
    t.observeEvent(probe, t0);
    t.forget('u1', later(t0, 1_000));
    expect(edges()).toEqual(['firing', 'resolved']);
  });
});

describe('fault tracker: a container problem follows the problem, not the kubelet’s moment', () => {
  const minute = 60_000;
  /** Observes the pod as the watcher does, at `ms` after t0. */
  function observer(t: FaultTracker) {
    return (status: NonNullable<V1Pod['status']>, ms: number) => {
      const pod: V1Pod = {
        metadata: { name: 'api-1', namespace: 'shop', uid: 'u1' },
        spec: { containers: [{ name: 'app' }] },
        status,
      };
      t.observe('u1', podFaults(pod), later(t0, ms), containerHealth(pod));
    };
  }
  const summary = (emitted: readonly Fault[]) =>
    emitted.map((f) => `${f.resolved ? 'resolved' : 'firing'} ${f.class}`);

  it('keeps one fault through exit → back-off → running cycles, refines its class, and never clears it', () => {
    const { t, emitted } = tracker({ healthyMs: 2 * minute, cooldownMs: minute });
    const observe = observer(t);
    // Back-off 10 s, 20 s, 40 s, 80 s …: each state a few seconds apart; the running phases last a second.
    crashCycles(6).forEach((status, i) => {
      observe(status, i * 5_000);
      t.sweep(later(t0, i * 5_000 + 1_000));
    });
    expect(summary(emitted)).toEqual(['firing ContainerErrorExit', 'firing CrashLoopBackOff']);
    expect(new Set(emitted.map((f) => f.faultId)).size).toBe(1);
    expect(t.active()).toMatchObject([{ class: 'CrashLoopBackOff', resolved: false }]);
  });

  it('clears the fault only once the container has run ready, without restarting, for the healthy period', () => {
    const { t, emitted } = tracker({ healthyMs: 2 * minute });
    const observe = observer(t);
    observe(crashLoop.exited(0), 0);
    observe(crashLoop.backingOff(1), 1_000);
    observe(crashLoop.running(2), 11_000);
    t.sweep(later(t0, 11_000 + 2 * minute - 1));
    expect(summary(emitted)).toEqual(['firing ContainerErrorExit', 'firing CrashLoopBackOff']);
    t.sweep(later(t0, 11_000 + 2 * minute));
    expect(summary(emitted)).toEqual([
      'firing ContainerErrorExit',
      'firing CrashLoopBackOff',
      'resolved CrashLoopBackOff',
    ]);
    expect(t.active()).toEqual([]);
  });

  it('starts the healthy period again when the container restarts while it looks healthy', () => {
    const { t, emitted } = tracker({ healthyMs: 2 * minute });
    const observe = observer(t);
    observe(crashLoop.backingOff(3), 0);
    observe(crashLoop.running(4), 10_000);
    // The kubelet's next status shows it running again, one restart later (the exit fell between two updates).
    observe(crashLoop.running(5), 10_000 + minute);
    t.sweep(later(t0, 10_000 + 2 * minute + 1));
    expect(emitted.filter((f) => f.resolved)).toEqual([]);
    t.sweep(later(t0, 10_000 + 3 * minute));
    expect(emitted.filter((f) => f.resolved)).toHaveLength(1);
  });

  it('keeps the most specific class: OOMKilled is not taken back by a later CrashLoopBackOff', () => {
    const { t, emitted } = tracker();
    const observe = observer(t);
    observe(crashLoop.backingOff(1), 0);
    observe(crashLoop.backingOff(2, 137, 'OOMKilled'), 20_000);
    observe(crashLoop.backingOff(3), 40_000);
    observe(crashLoop.exited(4), 60_000);
    expect(summary(emitted)).toEqual(['firing CrashLoopBackOff', 'firing OOMKilled']);
    expect(emitted[1]).toMatchObject({ faultId: emitted[0]?.faultId, severity: 'high' });
    expect(t.active()).toMatchObject([{ class: 'OOMKilled', context: { exitCode: 137 } }]);
  });

  it('reports a refinement made in the same millisecond as later, so the store takes it', () => {
    const { t, emitted } = tracker();
    const observe = observer(t);
    observe(crashLoop.exited(0), 0);
    observe(crashLoop.backingOff(1), 0);
    expect(summary(emitted)).toEqual(['firing ContainerErrorExit', 'firing CrashLoopBackOff']);
    expect(emitted[1]?.observedAt.getTime()).toBeGreaterThan(emitted[0]?.observedAt.getTime() ?? Infinity);
  });

  it('resolves a held fault at once when its pod is deleted, or done', () => {
    const deleted = tracker();
    observer(deleted.t)(crashLoop.backingOff(1), 0);
    observer(deleted.t)(crashLoop.running(2), 10_000);
    deleted.t.forget('u1', later(t0, 11_000));
    expect(summary(deleted.emitted)).toEqual(['firing CrashLoopBackOff', 'resolved CrashLoopBackOff']);

    const done = tracker();
    observer(done.t)(crashLoop.backingOff(1), 0);
    observer(done.t)(crashLoop.exited(2, 0, 'Completed', 'Succeeded'), 10_000);
    expect(summary(done.emitted)).toEqual(['firing CrashLoopBackOff', 'resolved CrashLoopBackOff']);
  });

  it('keeps one image-pull fault through ErrImagePull ↔ ImagePullBackOff ↔ ContainerCreating, until the container starts', () => {
    const { t, emitted } = tracker({ healthyMs: 2 * minute });
    const observe = observer(t);
    [
      imagePull.failed,
      imagePull.backingOff,
      imagePull.creating,
      imagePull.failed,
      imagePull.backingOff,
    ].forEach((status, i) => {
      observe(status(), i * 10_000);
    });
    expect(summary(emitted)).toEqual(['firing ImagePullBackOff']);
    observe(imagePull.started(), 60_000);
    expect(summary(emitted)).toEqual(['firing ImagePullBackOff', 'resolved ImagePullBackOff']);
  });

  it('reports nothing for a container that exited 0 for good, or a pod that never restarts', () => {
    const { t, emitted } = tracker();
    const neverRestarted: V1Pod = {
      metadata: { name: 'once', namespace: 'shop', uid: 'u2' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'app' }] },
      status: crashLoop.exited(0, 1, 'Error', 'Failed'),
    };
    t.observe('u2', podFaults(neverRestarted), t0, containerHealth(neverRestarted));
    observer(t)(crashLoop.exited(2, 0, 'Completed', 'Succeeded'), 0);
    expect(emitted).toEqual([]);
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
