/** Bolt's and the Web API client's log lines go to our logger (redacted, structured), at debug for chatter. */
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../../core/ports/logger.ts';

export function boltLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) =>
    parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug({}, text(msg)),
    info: (...msg: unknown[]) => logger.debug({}, text(msg)),
    // a 429 the client waits out is routine, not a warning
    warn: (...msg: unknown[]) =>
      text(msg).includes('rate limit was exceeded')
        ? logger.debug({}, text(msg))
        : logger.warn({}, text(msg)),
    error: (...msg: unknown[]) => logger.error({}, text(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
