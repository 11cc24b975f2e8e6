/**
 * Run admission: whether a queued triage may start now, within the caps. Beyond a cap the incident waits in the
 * queue with the reason visible; nothing is dropped.
 */
import type { BreakerSettings, BreakerState } from './circuit-breaker.ts';
import { breakerAdmits, defaultBreaker } from './circuit-breaker.ts';

export interface CapSettings {
  readonly maxConcurrentRuns: number;
  readonly maxConcurrentRunsPerCluster: number;
  /** Per-cluster overrides of the per-cluster cap. */
  readonly perCluster?: Readonly<Record<string, number>>;
  /** The storm guard: at most this many runs start in any 60 s. */
  readonly maxRunStartsPerMinute: number;
}

export const defaultCaps: CapSettings = {
  maxConcurrentRuns: 4,
  maxConcurrentRunsPerCluster: 1,
  maxRunStartsPerMinute: 10,
};

export interface Load {
  readonly running: number;
  readonly runningInCluster: number;
  /** Start times of runs in the last minute (older entries are ignored). */
  readonly recentStarts: readonly Date[];
}

export type WaitReason = 'global_cap' | 'cluster_cap' | 'storm_guard' | 'breaker_open';

export type Admission =
  | { readonly admit: true; readonly breaker: BreakerState; readonly probe: boolean }
  | { readonly admit: false; readonly reason: WaitReason; readonly message: string; readonly retryAt: Date };

export function admitRun(
  cluster: string,
  load: Load,
  breaker: BreakerState,
  now: Date,
  caps: CapSettings = defaultCaps,
  breakerSettings: BreakerSettings = defaultBreaker,
): Admission {
  const soon = new Date(now.getTime() + 5_000);
  const clusterCap = caps.perCluster?.[cluster] ?? caps.maxConcurrentRunsPerCluster;
  if (load.running >= caps.maxConcurrentRuns) {
    return wait('global_cap', `${load.running} runs are running (limit ${caps.maxConcurrentRuns})`, soon);
  }
  if (load.runningInCluster >= clusterCap) {
    return wait(
      'cluster_cap',
      `${load.runningInCluster} runs are running in ${cluster} (limit ${clusterCap})`,
      soon,
    );
  }
  const minuteAgo = now.getTime() - 60_000;
  const recent = load.recentStarts
    .filter((at) => at.getTime() > minuteAgo)
    .sort((a, b) => a.getTime() - b.getTime());
  if (recent.length >= caps.maxRunStartsPerMinute) {
    const oldest = recent[recent.length - caps.maxRunStartsPerMinute] ?? now;
    return wait(
      'storm_guard',
      `storm guard: ${recent.length} runs started in the last minute (limit ${caps.maxRunStartsPerMinute})`,
      new Date(oldest.getTime() + 60_000),
    );
  }
  const gate = breakerAdmits(breaker, now, breakerSettings);
  if (!gate.admit) {
    return wait(
      'breaker_open',
      `runs are paused after ${breaker.consecutiveFailures} consecutive failures; a probe run will test recovery`,
      probeTime(breaker, now, breakerSettings),
    );
  }
  return { admit: true, breaker: gate.breaker, probe: gate.probe };
}

/** When the open breaker lets its probe through (or, while a probe runs, a short while later to look again). */
function probeTime(breaker: BreakerState, now: Date, settings: BreakerSettings): Date {
  const probeAt = breaker.state === 'open' ? breaker.since.getTime() + settings.probeAfterMs : 0;
  return new Date(Math.max(now.getTime() + 1_000, probeAt));
}

function wait(reason: WaitReason, message: string, retryAt: Date): Admission {
  return { admit: false, reason, message, retryAt };
}
