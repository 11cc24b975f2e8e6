/**
 * Silences: a person mutes faults by cluster, namespace, labels or class until an expiry. A silenced fault is
 * still stored (nothing is lost) but opens no incident and starts no run.
 */
import type { Fault, FaultClass } from '../fault.ts';

export interface SilenceMatcher {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly class?: FaultClass;
  /** Every label must be present on the fault's resource with this value. */
  readonly labels?: Readonly<Record<string, string>>;
  /** A fingerprint (probable cause) or resource key, set when muting one incident from Slack. */
  readonly fingerprint?: string;
}

export interface Silence {
  readonly id: string;
  readonly matcher: SilenceMatcher;
  readonly author: string;
  readonly reason: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export function silenceMatches(silence: Silence, fault: Fault, now: Date, fingerprint?: string): boolean {
  if (now.getTime() >= silence.expiresAt.getTime() || now.getTime() < silence.createdAt.getTime())
    return false;
  const m = silence.matcher;
  if (m.cluster !== undefined && m.cluster !== fault.cluster) return false;
  if (m.namespace !== undefined && m.namespace !== fault.resource.namespace) return false;
  if (m.class !== undefined && m.class !== fault.class) return false;
  if (m.fingerprint !== undefined && m.fingerprint !== fingerprint) return false;
  const labels = fault.context.labels ?? {};
  return Object.entries(m.labels ?? {}).every(([key, value]) => labels[key] === value);
}

/** The first active silence that matches, if any. A matcher with no fields matches nothing: too broad to mean. */
export function activeSilence(
  silences: readonly Silence[],
  fault: Fault,
  now: Date,
  fingerprint?: string,
): Silence | undefined {
  return silences.find((s) => !isEmptyMatcher(s.matcher) && silenceMatches(s, fault, now, fingerprint));
}

export function isEmptyMatcher(matcher: SilenceMatcher): boolean {
  return (
    matcher.cluster === undefined &&
    matcher.namespace === undefined &&
    matcher.class === undefined &&
    matcher.fingerprint === undefined &&
    Object.keys(matcher.labels ?? {}).length === 0
  );
}
