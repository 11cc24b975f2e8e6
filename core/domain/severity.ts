import { z } from 'zod';

/** Ordered from most to least urgent. */
export const severities = ['critical', 'high', 'warning', 'info'] as const;
export const SeveritySchema = z.enum(severities);
export type Severity = z.infer<typeof SeveritySchema>;

/** Negative when `a` is more urgent than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return severities.indexOf(a) - severities.indexOf(b);
}

export function mostSevere(a: Severity, b: Severity): Severity {
  return compareSeverity(a, b) <= 0 ? a : b;
}
