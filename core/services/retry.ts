/**
 * The one retry loop. Adapters mark their errors `retryable` (and `retryAfterMs` when the other side said
 * how long to wait); this applies a named policy (core/domain/retry-policies.ts), stops at the first error
 * that is not worth retrying, and waits in an abortable sleep so stopping never waits out a backoff.
 */
import { ConfigError, InvalidFaultError } from '../domain/errors.ts';
import { retryDelay, type RetryPolicy } from '../domain/retry-policies.ts';
import type { Logger } from '../ports/logger.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits `ms`; rejects with the signal's reason as soon as it aborts (at once if it already has). */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetryAttempt {
  /** 1 for the first try, counting from the last reset. */
  readonly number: number;
  readonly signal: AbortSignal | undefined;
  /** A long-lived operation got up (a session connected): the next failure starts the backoff afresh. */
  readonly reset: () => void;
}

export interface RetryOptions {
  /** What is being tried, for the log line ("MCP server prod", "fault delivery"). */
  readonly what: string;
  readonly signal?: AbortSignal;
  /** Injected for tests; the default waits for real and aborts with the signal. */
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Told once per distinct error (warn), not once per attempt. */
  readonly logger?: Logger;
  /** Overrides the default reading of `retryable` on the error. */
  readonly retryable?: (error: unknown) => boolean;
  /** Called before each wait (to show a `waiting` state, count outages). */
  readonly onRetry?: (failure: { error: unknown; failures: number; delayMs: number }) => void;
}

/**
 * Runs `op` until it resolves. A failure that is not retryable, or the last one the policy allows, is thrown
 * as it is; when the signal aborts, rejects with its reason.
 */
export async function withRetry<T>(
  op: (attempt: RetryAttempt) => Promise<T>,
  policy: RetryPolicy,
  options: RetryOptions,
): Promise<T> {
  const { signal, logger } = options;
  const wait = options.sleep ?? sleep;
  const retryable = options.retryable ?? isRetryable;
  let failures = 0;
  let lastError: string | undefined;
  const reset = () => {
    failures = 0;
    lastError = undefined;
  };
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    try {
      const value = await op({ number: failures + 1, signal, reset });
      if (lastError !== undefined)
        logger?.info(
          { policy: policy.name, failures },
          `${options.what}: recovered after ${failures} failure(s)`,
        );
      return value;
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (!retryable(error)) throw error;
      failures += 1;
      if (policy.maxAttempts !== undefined && failures >= policy.maxAttempts) throw error;
      const delayMs = Math.max(retryDelay(policy, failures, options.random), retryAfterMs(error) ?? 0);
      const key = errorKey(error);
      if (key !== lastError) {
        lastError = key;
        logger?.warn(
          { err: error, policy: policy.name, failures, retryInMs: delayMs },
          `${options.what}: ${describeError(error)}; retrying in ${formatDelay(delayMs)}`,
        );
      }
      options.onRetry?.({ error, failures, delayMs });
      await wait(delayMs, signal);
    }
  }
}

/** `retryable` as the adapter set it; unclassified errors (sockets, SDKs) are taken as passing; bad input is not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConfigError || error instanceof InvalidFaultError) return false;
  const flag = (error as { retryable?: unknown } | null)?.retryable;
  return typeof flag === 'boolean' ? flag : true;
}

function retryAfterMs(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function errorKey(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}:${typeof code === 'string' || typeof code === 'number' ? String(code) : ''}:${error.message}`;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** The signal's reason when it is an error (as `AbortSignal.abort(error)` gives), else a standard AbortError. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
