/**
 * The per-run NATS credential minter for the Job sandbox (`mintRunNatsCredentials`), from `bus.nats.runCredentials`;
 * undefined when NATS is not in operator mode: Job runs then report progress through the pod log only.
 */
import type { Config } from '../config/config.ts';
import { createRunCredentialMinter, type MintRunNatsCredentials } from '../../runners/bus/run-credentials.ts';

export interface RunNatsAccess {
  readonly mintRunNatsCredentials: MintRunNatsCredentials;
  /** The NATS URLs the agent pods connect to (PodRunSpec `progress.servers`). */
  readonly podServers: readonly string[];
}

export function runNatsAccess(bus: Config['bus']): RunNatsAccess | undefined {
  if (bus.kind !== 'nats' || !bus.runCredentials) return undefined;
  return {
    mintRunNatsCredentials: createRunCredentialMinter(bus.runCredentials),
    podServers: bus.runCredentials.podServers,
  };
}
