/**
 * When an open incident with nothing firing resolves on its own: once every member fault has stayed clear for
 * the quiet period, whatever the last message was (a clear dropped while flapping, a source that never sends
 * one). The reason says why, for the card and the history.
 */
export interface QuietSettings {
  /** Every fault of an incident must have been clear this long before it resolves by itself. */
  readonly quietPeriodMs: number;
  /**
   * Per fault source (`${source.kind}:${source.name}`, e.g. `mcp:fork`): a firing fault not observed again
   * within this many ms counts as cleared (expired). Sources not listed never expire their faults.
   */
  readonly faultTtlMs: ReadonlyMap<string, number>;
}

export const defaultQuiet: QuietSettings = { quietPeriodMs: 5 * 60_000, faultTtlMs: new Map() };

/** A member fault that is clear: resolved by its source, or expired by Watchkeeper. */
export interface ClearMember {
  /** `${source.kind}:${source.name}` */
  readonly source: string;
  readonly clearedAt: Date;
  /** Why the condition ended, when known (`pod deleted`, `expired: …`). */
  readonly resolution?: string;
  readonly expired: boolean;
}

export type QuietDecision =
  { readonly kind: 'wait'; readonly until: Date } | { readonly kind: 'resolve'; readonly reason: string };

/** `members` are the incident's faults, all of them clear (the caller only asks about incidents with none firing). */
export function decideQuietResolution(
  members: readonly ClearMember[],
  openedAt: Date,
  now: Date,
  settings: QuietSettings,
): QuietDecision {
  const quietSince = Math.max(openedAt.getTime(), ...members.map((m) => m.clearedAt.getTime()));
  const until = quietSince + settings.quietPeriodMs;
  if (now.getTime() < until) return { kind: 'wait', until: new Date(until) };
  return { kind: 'resolve', reason: quietReason(members, settings) };
}

function quietReason(members: readonly ClearMember[], settings: QuietSettings): string {
  const minutes = formatMinutes(settings.quietPeriodMs);
  if (members.length === 0) return `no fault fired for ${minutes}`;
  const expiredSources = [...new Set(members.filter((m) => m.expired).map((m) => m.source))].sort();
  if (expiredSources.length > 0) {
    const ttl = (source: string) => formatMinutes(settings.faultTtlMs.get(source) ?? 0);
    const parts = expiredSources.map((source) => `${source} expired after ${ttl(source)} without refresh`);
    const rest = members.length > members.filter((m) => m.expired).length ? '; the others cleared' : '';
    return `faults from ${parts.join(', ')}${rest}`;
  }
  const last = [...members].sort((a, b) => b.clearedAt.getTime() - a.clearedAt.getTime())[0];
  const why = last?.resolution !== undefined ? ` (last: ${last.resolution})` : '';
  return `every fault clear for ${minutes}${why}`;
}

export function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1 && Number.isInteger(minutes)) return `${minutes} min`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(minutes)} min`;
}
