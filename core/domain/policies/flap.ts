/**
 * Flap detection: a fault that fires and clears again and again is one flapping problem, not a new triage
 * every time. The caller keeps the times the fault changed state; the policy only counts them.
 */
export interface FlapSettings {
  /** Window in which state changes are counted. */
  readonly windowMs: number;
  /** From this many changes (fire or clear) inside the window the fault is flapping. */
  readonly threshold: number;
}

export const defaultFlap: FlapSettings = { windowMs: 15 * 60_000, threshold: 6 };

/** The changes still inside the window, oldest first; what the caller should keep. */
export function recentChanges(
  changes: readonly Date[],
  now: Date,
  settings: FlapSettings = defaultFlap,
): Date[] {
  const from = now.getTime() - settings.windowMs;
  return changes.filter((at) => at.getTime() > from && at.getTime() <= now.getTime());
}

export function isFlapping(
  changes: readonly Date[],
  now: Date,
  settings: FlapSettings = defaultFlap,
): boolean {
  return recentChanges(changes, now, settings).length >= settings.threshold;
}
