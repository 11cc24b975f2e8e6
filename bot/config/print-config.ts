import { stringify } from 'yaml';
import type { Config } from './config.ts';

/** The effective configuration as YAML; secrets print as `[redacted]` (Secret.toJSON). */
export function printConfig(config: Config): string {
  return stringify(JSON.parse(JSON.stringify(config)) as unknown, { lineWidth: 0 });
}
