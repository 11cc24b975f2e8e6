/** How tests reach the harness: `harness('postgres')` returns its coordinates or fails saying how to get them. */
import { inject } from 'vitest';
import type { HarnessInfo, HarnessService } from './types.ts';

export function harness<S extends HarnessService>(service: S): NonNullable<HarnessInfo[S]> {
  const info = inject('harness')[service];
  if (info === undefined) {
    throw new Error(
      `this test needs the harness service "${service}", which was not started: ` +
        `run with WATCHKEEPER_HARNESS=all (the default) or include ${service}`,
    );
  }
  return info;
}
