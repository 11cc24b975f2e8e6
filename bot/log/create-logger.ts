import pino, { type Logger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * pino: human-readable on a terminal, one JSON object per line otherwise (containers, files, pipes).
 * Anything that looks like a credential is redacted before it is written.
 */
export function createLogger(options: {
  level: LogLevel;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  const redact = {
    paths: [
      '*.password',
      '*.token',
      '*.secret',
      '*.authorization',
      '*.apiKey',
      'headers.authorization',
      'headers.cookie',
    ],
    censor: '[redacted]',
  };
  if (pretty) {
    return pino({
      level: options.level,
      redact,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(
    { level: options.level, redact, base: { service: 'watchkeeper' } },
    options.destination ?? process.stdout,
  );
}
