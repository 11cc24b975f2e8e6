/**
 * The run circuit breaker: after N consecutive failed runs something is wrong with Watchkeeper itself (model API
 * down, credentials expired), so new runs pause and a system-degraded notice goes out. One probe run is let
 * through; its success closes the breaker again.
 */
export type BreakerState =
  | { readonly state: 'closed'; readonly consecutiveFailures: number }
  | { readonly state: 'open'; readonly since: Date; readonly consecutiveFailures: number }
  | { readonly state: 'probing'; readonly since: Date; readonly consecutiveFailures: number };

export interface BreakerSettings {
  readonly failureThreshold: number;
  /** How long the breaker stays open before one probe run may start. */
  readonly probeAfterMs: number;
}

export const defaultBreaker: BreakerSettings = { failureThreshold: 5, probeAfterMs: 5 * 60_000 };
export const closedBreaker: BreakerState = { state: 'closed', consecutiveFailures: 0 };

export type BreakerNotice = 'degraded' | 'recovered' | undefined;

export interface BreakerStep {
  readonly breaker: BreakerState;
  readonly notice: BreakerNotice;
}

/** Records a finished run. `degraded` / `recovered` tell the caller to post the notice, once. */
export function recordRunOutcome(
  breaker: BreakerState,
  succeeded: boolean,
  now: Date,
  settings: BreakerSettings = defaultBreaker,
): BreakerStep {
  if (succeeded) {
    return { breaker: closedBreaker, notice: breaker.state === 'closed' ? undefined : 'recovered' };
  }
  const failures = breaker.consecutiveFailures + 1;
  if (breaker.state === 'probing') {
    return { breaker: { state: 'open', since: now, consecutiveFailures: failures }, notice: undefined };
  }
  if (breaker.state === 'open') {
    return { breaker: { ...breaker, consecutiveFailures: failures }, notice: undefined };
  }
  return failures >= settings.failureThreshold
    ? { breaker: { state: 'open', since: now, consecutiveFailures: failures }, notice: 'degraded' }
    : { breaker: { state: 'closed', consecutiveFailures: failures }, notice: undefined };
}

/** Whether the breaker lets a run start now; an open breaker past its wait lets exactly one probe through. */
export function breakerAdmits(
  breaker: BreakerState,
  now: Date,
  settings: BreakerSettings = defaultBreaker,
): { readonly admit: boolean; readonly breaker: BreakerState; readonly probe: boolean } {
  switch (breaker.state) {
    case 'closed':
      return { admit: true, breaker, probe: false };
    case 'probing':
      return { admit: false, breaker, probe: false };
    case 'open':
      return now.getTime() - breaker.since.getTime() >= settings.probeAfterMs
        ? { admit: true, breaker: { ...breaker, state: 'probing', since: now }, probe: true }
        : { admit: false, breaker, probe: false };
  }
}

export interface FinishedRunOutcome {
  readonly failed: boolean;
  readonly finishedAt: Date;
}

/**
 * The breaker's state derived from the stored run history (newest first), so every replica sees the same
 * breaker and a restart keeps it. A run in flight while the breaker is open is the probe.
 */
export function breakerFromHistory(
  outcomes: readonly FinishedRunOutcome[],
  running: number,
  settings: BreakerSettings = defaultBreaker,
): BreakerState {
  let failures = 0;
  for (const outcome of outcomes) {
    if (!outcome.failed) break;
    failures += 1;
  }
  const latest = outcomes[0];
  if (failures < settings.failureThreshold || !latest)
    return { state: 'closed', consecutiveFailures: failures };
  return running > 0
    ? { state: 'probing', since: latest.finishedAt, consecutiveFailures: failures }
    : { state: 'open', since: latest.finishedAt, consecutiveFailures: failures };
}
