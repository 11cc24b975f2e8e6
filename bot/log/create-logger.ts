import pino, { type Logger, type LoggerOptions } from 'pino';
import { redactLogValue } from './redact-log-value.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * pino: human-readable on a terminal, one JSON object per line otherwise (containers, files, pipes).
 * Every string of every record, at every level, goes through the redactor before it is written: the message
 * and its arguments (logMethod hook) and the merged object (log formatter); keys that name a credential are
 * censored whatever their value.
 */
export function createLogger(options: {
  level: LogLevel;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  const common: LoggerOptions = {
    level: options.level,
    redact: {
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
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => redactLogValue(arg)) as Parameters<typeof method>);
      },
    },
    formatters: { log: (record) => redactLogValue(record) as Record<string, unknown> },
  };
  if (pretty) {
    return pino({
      ...common,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ ...common, base: { service: 'watchkeeper' } }, options.destination ?? process.stdout);
}
