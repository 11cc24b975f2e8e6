/** Starts the triage scheduler with the configured agent profiles (nothing runs without one). */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../core/ports/clock.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { LifecycleService } from '../../core/services/lifecycle-service.ts';
import { createTriageScheduler, type TriageScheduler } from '../../core/services/triage-scheduler.ts';
import type { KubeConfigChoice } from '../../listeners/kube/kube-config.ts';
import { ConfigError } from '../../core/domain/errors.ts';
import { createJobLauncher } from '../../runners/job/job-launcher.ts';
import type { JobRunSandboxOptions } from '../../runners/job/job-run-sandbox.ts';
import { createDispatchingLauncher } from '../../runners/triage/dispatching-launcher.ts';
import { createTriageLauncher } from '../../runners/triage/triage-launcher.ts';
import { unsandboxedWarning } from '../../runners/local/local-sandbox.ts';
import { probeAdvice, probeBubblewrap } from '../../runners/local/sandbox-probe.ts';
import type { Config } from '../config/config.ts';
import { uuidV7Gen } from './uuid-v7.ts';

/** Checked before any state is written: Job profiles need a cluster to run in. */
export function checkTriageConfig(config: Config, kubeconfig: KubeConfigChoice | undefined): void {
  const jobProfile = Object.values(config.agents.profiles).find((p) => p.runner === 'kubernetes-job');
  if (jobProfile && !kubeconfig) {
    throw new ConfigError(
      `agents.profiles.${jobProfile.name}.runner`,
      'kubernetes-job needs cluster access: set watcher.kubeconfig (or KUBECONFIG)',
    );
  }
  checkLocalSandbox(config);
}

/** Whether some profile runs on this machine (and so needs the local sandbox). */
export function runsLocally(config: Config): boolean {
  return Object.values(config.agents.profiles).some((p) => p.runner !== 'kubernetes-job');
}

/** Local runs get their sandbox or Watchkeeper does not start, unless the operator chose `none`. */
function checkLocalSandbox(config: Config): void {
  const sandbox = config.agents.localSandbox;
  if (!runsLocally(config) || sandbox.kind === 'none') return;
  const probe = probeBubblewrap(sandbox);
  if (!probe.ok)
    throw new ConfigError(
      'agents.localSandbox',
      `local agent runs cannot be sandboxed on this machine: ${probe.reason}; ${probeAdvice}`,
    );
}

export function startTriage(
  config: Config,
  deps: {
    readonly store: Store;
    readonly bus: Bus;
    readonly lifecycle: LifecycleService;
    readonly reports: ReportStore;
    readonly kubeconfig: KubeConfigChoice | undefined;
    /**
     * Live progress from Job pods: the NATS servers as pods reach them and the per-run credential minter
     * (runners/bus/run-credentials.ts). Without it Job runs still report; their progress is read from the pod log.
     */
    readonly jobNats?: JobRunSandboxOptions['nats'];
  },
  logger: Logger,
): TriageScheduler | undefined {
  const names = Object.keys(config.agents.profiles);
  if (names.length === 0) {
    logger.info(
      {},
      'no agent profiles configured (agents.profiles): incidents queue for triage, no run starts',
    );
    return undefined;
  }
  if (config.agents.localSandbox.kind === 'none' && runsLocally(config))
    logger.warn({ agents: names }, unsandboxedWarning);
  const local = createTriageLauncher({
    profiles: config.agents.profiles,
    sandbox: config.agents.localSandbox,
    workRoot: config.agents.workDir,
    store: deps.store,
    reports: deps.reports,
    bus: deps.bus,
    kubernetesMcpServer: config.agents.kubernetesMcpServer,
    ...(deps.kubeconfig && {
      kube: { config: deps.kubeconfig.config, credentials: config.agents.credentials },
    }),
    logger: logger.child({ component: 'triage' }),
  });
  const wantsJobs = Object.values(config.agents.profiles).some((p) => p.runner === 'kubernetes-job');
  if (wantsJobs && !deps.kubeconfig) {
    throw new ConfigError(
      'agents.profiles',
      'a kubernetes-job profile needs cluster access (watcher.kubeconfig)',
    );
  }
  const job =
    wantsJobs && deps.kubeconfig
      ? createJobLauncher({
          profiles: config.agents.profiles,
          kube: { config: deps.kubeconfig.config, credentials: config.agents.credentials },
          namespace: config.agents.jobsNamespace,
          store: deps.store,
          reports: deps.reports,
          bus: deps.bus,
          ...(deps.jobNats && { nats: deps.jobNats }),
          kubernetesMcpServer: config.agents.kubernetesMcpServer,
          logger: logger.child({ component: 'job-runner' }),
        })
      : undefined;
  const launcher = createDispatchingLauncher(config.agents.profiles, { local, ...(job && { job }) });
  const scheduler = createTriageScheduler({
    store: deps.store,
    bus: deps.bus,
    lifecycle: deps.lifecycle,
    launcher,
    clock: systemClock,
    ids: uuidV7Gen,
    logger: logger.child({ component: 'scheduler' }),
    settings: config.incidents,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  });
  scheduler.start();
  logger.info(
    { agents: names, default: config.agents.default },
    `triage runs use agent profile ${config.agents.default ?? names.join(', ')}`,
  );
  return scheduler;
}
