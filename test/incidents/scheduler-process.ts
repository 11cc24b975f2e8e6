/**
 * A Watchkeeper scheduler in its own OS process, for the restart, multi-replica and cancellation tests: real
 * PostgreSQL, real local process sandboxes running `agents/ledger-agent.sh` (or AGENT_SCRIPT), or Kubernetes Jobs
 * on the harness cluster (LAUNCHER=job). Settings come from the environment; BUS_URL picks NATS over the
 * in-process bus, so Resolve in another process reaches it.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type { Bus } from '../../core/ports/bus.ts';
import type { TriageLauncher } from '../../core/ports/triage-launcher.ts';
import { defaultIncidentSettings } from '../../core/services/incident-settings.ts';
import { createLifecycleService } from '../../core/services/lifecycle-service.ts';
import { createTriageScheduler } from '../../core/services/triage-scheduler.ts';
import { openStore } from '../../core/store/open-store.ts';
import { uuidV7Gen } from '../../bot/wiring/uuid-v7.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createJobLauncher } from '../../runners/job/job-launcher.ts';
import { createLocalProcessLauncher } from '../../runners/local/local-process-launcher.ts';
import { createFolderReportStore } from '../../runners/reports/folder-report-store.ts';
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
const busUrl = process.env.BUS_URL;
const bus: Bus = busUrl ? await openNatsBus({ url: busUrl }) : createMemoryBus();
const lifecycle = createLifecycleService({ store, bus, logger: silentLogger });

function jobLauncher(): TriageLauncher {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(env('KUBECONFIG_PATH'));
  return createJobLauncher({
    profiles: {
      [settings.defaultAgent]: {
        name: settings.defaultAgent,
        kind: 'custom',
        command: 'watchkeeper-agent',
        args: [],
        env: {},
        skillsPath: '.claude/skills',
        image: 'ghcr.io/watchkeeper/agent:test',
        runner: 'kubernetes-job',
      },
    },
    kube: {
      config: kubeconfig,
      credentials: { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
    },
    namespace: env('JOBS_NAMESPACE'),
    store,
    bus,
    reports: createFolderReportStore({
      root: env('REPORTS_DIR'),
      baseUrl: () => 'http://127.0.0.1:1',
      signingKey: 'scheduler-process-test-key',
    }),
    logger: silentLogger,
    // No node matches: the pod stays Pending and the Job active until it is deleted (kwok completes Job pods).
    nodeSelector: { 'watchkeeper.test/none': 'true' },
  });
}

const launcher =
  process.env.LAUNCHER === 'job'
    ? jobLauncher()
    : createLocalProcessLauncher({
        command:
          process.env.AGENT_SCRIPT ?? fileURLToPath(new URL('agents/ledger-agent.sh', import.meta.url)),
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
  ...(process.env.CONTROL_CHECK_MS !== undefined && { controlCheckMs: Number(process.env.CONTROL_CHECK_MS) }),
});
scheduler.start();
process.stdout.write('ready\n');
// As the composition root does: a shutdown stops local runs (queued again) and leaves Job runs for re-attach.
process.once('SIGTERM', () => {
  void scheduler
    .stop({ abandon: true })
    .then(() => bus.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
