/**
 * Keeps one informer running: when its list or watch fails it is started again along the kube-watch backoff,
 * which starts afresh once a start has listed and watched without error. Stopping aborts any wait at once.
 */
import { retryPolicies } from '../../core/domain/retry-policies.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { withRetry, type RetryAttempt } from '../../core/services/retry.ts';

export interface StartableInformer {
  start(): Promise<void>;
  on(event: 'error', callback: (error: unknown) => void): void;
}

/**
 * Resolves when the first start has been tried (listed, or failed and to be retried). With `failFast`, a first
 * start that rejects rejects this instead (nothing is retried then).
 */
export function superviseInformer(
  informer: StartableInformer,
  options: {
    readonly name: string;
    readonly logger: Logger;
    readonly signal: AbortSignal;
    readonly failFast: boolean;
  },
): Promise<void> {
  let failSession: ((error: unknown) => void) | undefined;
  let gaveUp = false;
  informer.on('error', (error) => failSession?.(error));
  options.signal.addEventListener('abort', () => failSession?.(options.signal.reason), { once: true });
  let firstTried: ((error?: unknown) => void) | undefined;
  const first = new Promise<void>((resolve, reject) => {
    firstTried = (error) => (error === undefined ? resolve() : reject(asError(error)));
  });
  const tried = (error?: unknown) => {
    firstTried?.(error);
    firstTried = undefined;
  };
  /** One run of the informer, from start() until it reports an error (it never ends otherwise). */
  const session = (attempt: RetryAttempt) =>
    new Promise<never>((_, reject) => {
      let failed = false;
      failSession = (error) => {
        failed = true;
        reject(asError(error));
      };
      informer.start().then(
        () => {
          if (!failed) attempt.reset(); // listed and watching: a later failure starts the backoff afresh
          tried();
        },
        (error: unknown) => {
          gaveUp = options.failFast && firstTried !== undefined;
          tried(gaveUp ? error : undefined);
          failSession?.(error);
        },
      );
    });
  const supervised = withRetry(session, retryPolicies.kubeWatch, {
    what: `watch on ${options.name}`,
    signal: options.signal,
    logger: options.logger,
    // a first start that must succeed is not retried: start() fails instead
    retryable: () => !gaveUp,
  });
  supervised.catch(() => undefined); // it ends only when stopped, or when a fail-fast first start failed
  return first;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
