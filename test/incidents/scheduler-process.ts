/**
 * A Watchkeeper scheduler in its own OS process, for the restart and multi-replica tests: real PostgreSQL, real
 * local process sandboxes running `agents/ledger-agent.sh`. Settings come from the environment.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultIncidentSettings } from '../../core/services/incident-settings.ts';
import { createLifecycleService } from '../../core/services/lifecycle-service.ts';
import { createTriageScheduler } from '../../core/services/triage-scheduler.ts';
import { openStore } from '../../core/store/open-store.ts';
import { uuidV7Gen } from '../../bot/wiring/uuid-v7.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { createLocalProcessLauncher } from '../../runners/local/local-process-launcher.ts';
import { silentLogger } from '../fixtures/logger.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`scheduler-process: ${name} is not set`);
  return value;
};

const settings = {
  ...defaultIncidentSettings,
  leaseMs: Number(env('LEASE_MS')),
  caps: {
    maxConcurrentRuns: Number(env('MAX_RUNS')),
    maxConcurrentRunsPerCluster: Number(env('MAX_RUNS')),
    maxRunStartsPerMinute: 100_000,
  },
};
const store = await openStore({ kind: 'postgres', url: env('DATABASE_URL'), maxConnections: 4 });
const bus = createMemoryBus();
const lifecycle = createLifecycleService({ store, bus, logger: silentLogger });
const launcher = createLocalProcessLauncher({
  command: fileURLToPath(new URL('agents/ledger-agent.sh', import.meta.url)),
  args: [],
  env: { LEDGER: env('LEDGER'), AGENT_MS: env('AGENT_MS') },
  workRoot: env('WORK_ROOT'),
  logger: silentLogger,
  killGraceMs: 500,
});
const scheduler = createTriageScheduler({
  store,
  bus,
  lifecycle,
  launcher,
  clock: { now: () => new Date() },
  ids: uuidV7Gen,
  logger: silentLogger,
  settings,
  owner: `${hostname()}:${process.pid}:${env('OWNER')}`,
  pollMs: 100,
});
scheduler.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void scheduler
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
