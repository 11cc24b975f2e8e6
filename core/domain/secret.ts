/**
 * A value that must never be printed, logged or serialized by accident: every string form is `[redacted]`
 * (String(), JSON, util.inspect, template literals), and only `reveal()` hands out the value, at the one place
 * that passes it to a client library or an agent's environment.
 */
const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

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

  [Symbol.toPrimitive](): string {
    return '[redacted]';
  }

  [inspectCustom](): string {
    return '[redacted]';
  }
}

/** The values of a map of secrets, for the one place that hands them to a process environment. */
export function revealAll(secrets: Readonly<Record<string, Secret>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([name, secret]) => [name, secret.reveal()]));
}
