import { wellFormed } from '../../core/domain/redact.ts';

/**
 * Every string of a webhook body, keys included, made storable before anything else reads it: well-formed
 * UTF-16 (a lone surrogate becomes U+FFFD) and no NUL (PostgreSQL refuses both, and would refuse every resend).
 */
export function normalizeJson(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(normalizeJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), normalizeJson(v)]));
}
