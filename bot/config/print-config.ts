import { stringify } from 'yaml';
import { isSecretKeyName, redact } from '../../core/domain/redact.ts';
import type { Config } from './config.ts';

/**
 * The effective configuration as YAML, with no secret in it: `Secret` values print as `[redacted]` (toJSON),
 * a plain value under a secret-looking name (an agent's `env: { SOME_TOKEN: … }`) is hidden whole, and every
 * other string goes through the redactor (a password inside a URL, a token pasted into an argument).
 */
export function printConfig(config: Config): string {
  const safe = JSON.parse(
    JSON.stringify(config, (key, value: unknown) => {
      if (typeof value !== 'string') return value;
      return key !== '' && isSecretKeyName(key) && value !== '[redacted]' ? '[redacted]' : redact(value);
    }),
  ) as unknown;
  return stringify(safe, { lineWidth: 0 });
}
