/**
 * Base for failures of the outside world (database, bus, object store, APIs). Adapters throw subclasses with a
 * string code; callers branch on `code` and `retryable`, never on the message.
 */
export abstract class InfraError extends Error {
  abstract readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { cause?: unknown; retryable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Configuration that cannot work: names the setting and what is wrong. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  readonly setting: string;
  readonly problem: string;

  constructor(setting: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${setting}: ${problem}`, { cause: options.cause });
    this.name = 'ConfigError';
    this.setting = setting;
    this.problem = problem;
  }
}

export type StoreErrorCode = 'conflict' | 'not_found' | 'unavailable' | 'migration_failed' | 'in_use';

/** A database failure. `conflict` means a uniqueness rule said no; `unavailable` is worth retrying later. */
export class StoreError extends InfraError {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: code === 'unavailable' });
    this.code = code;
  }
}

/** A fault the domain cannot hold (a name with a newline, a label past its limit): refused before it is stored. */
export class InvalidFaultError extends Error {
  readonly code = 'fault_invalid';
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`the fault's ${field || 'data'} cannot be stored: ${problem}`);
    this.name = 'InvalidFaultError';
    this.field = field;
  }
}
