/**
 * A failure of ours with a stable `code` (for logs, metrics and tests) and a `hint` saying what to do next.
 * bot/cli turns it into the one line a user reads; nothing branches on its message.
 */
export type WatchkeeperErrorCode =
  /** Something the code itself guarantees did not hold: a bug to report. */
  | 'internal'
  /** Too many writers raced on the same incidents; trying again later settles it. */
  | 'contended'
  /** A server or API answered in a way it should not have (no timestamp, a refused subscription). */
  | 'unexpected_answer'
  /** A subscription ended while Watchkeeper still needed it. */
  | 'subscription_ended'
  /** Watchkeeper is stopping: work in progress was cut short on purpose. */
  | 'stopping';

const bugHint = 'this is a bug in Watchkeeper: please report it with the log lines around it';

export class WatchkeeperError extends Error {
  readonly code: WatchkeeperErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(
    code: WatchkeeperErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'WatchkeeperError';
    this.code = code;
    this.hint = options.hint ?? (code === 'internal' ? bugHint : undefined);
    this.retryable = options.retryable ?? (code === 'contended' || code === 'subscription_ended');
  }
}
