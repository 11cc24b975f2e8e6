/**
 * Slack signs `v0:<timestamp>:<body>`; a signed request is only worth trusting near the time it was signed.
 * Bolt's receiver refuses old timestamps only, so one an hour in the future (captured, or from a skewed
 * signer) would be accepted: this check runs first and refuses both directions.
 */
import type { IncomingMessage } from 'node:http';

/** Slack's own tolerance: five minutes either way. */
export const maxSkewSeconds = 5 * 60;

/** Why the request's timestamp is refused, or undefined when it is fresh. */
export function staleTimestamp(req: IncomingMessage, now: Date = new Date()): string | undefined {
  const header = req.headers['x-slack-request-timestamp'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,12}$/.test(value))
    return 'missing or malformed X-Slack-Request-Timestamp';
  const skew = Number(value) - Math.floor(now.getTime() / 1000);
  if (skew > maxSkewSeconds) return `timestamp ${skew} s in the future`;
  if (skew < -maxSkewSeconds) return `timestamp ${-skew} s old`;
  return undefined;
}
