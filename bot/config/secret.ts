import { inspect } from 'node:util';

/**
 * A value that must never be printed, logged or serialized by accident: every string form is redacted, and only
 * `reveal()` hands out the value, at the one place that passes it to a client library.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
