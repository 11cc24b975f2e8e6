import { redact } from '../../core/domain/redact.ts';

/**
 * Every string in a log record redacted, however deep (an error's message and stack, a payload, a header),
 * so a log at any level can never carry a credential. Errors stay errors (a redacted copy), so pino prints them
 * as it always does. Depth is bounded: a log record is not a data dump.
 */
export function redactLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactLogValue(item, depth + 1));
  if (value instanceof Error) return redactedError(value, depth);
  if (value instanceof Date || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return redactLogValue((value as { toJSON: () => unknown }).toJSON(), depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLogValue(v, depth + 1)]));
}

function redactedError(error: Error, depth: number): Error {
  const copy = new Error(
    redact(error.message),
    error.cause === undefined ? undefined : { cause: redactLogValue(error.cause, depth + 1) },
  );
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = redact(error.stack);
  return Object.assign(
    copy,
    Object.fromEntries(Object.entries(error).map(([k, v]) => [k, redactLogValue(v, depth + 1)])),
  );
}
