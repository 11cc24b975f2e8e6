/** Starts remediation when Watchkeeper has cluster access: the executor, the service and its queue worker. */
import { systemClock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { LifecycleService } from '../../core/services/lifecycle-service.ts';
import {
  createRemediationService,
  type RemediationService,
} from '../../core/services/remediation-service.ts';
import type { KubeConfigChoice } from '../../listeners/kube/kube-config.ts';
import { createClusterExecutor } from '../../runners/remediation/cluster-executor.ts';
import type { Config } from '../config/config.ts';
import { requiredApprovalsFor } from '../config/remediation-schema.ts';
import { uuidV7Gen } from './uuid-v7.ts';

export interface RemediationControl {
  readonly service: RemediationService;
  stop(): Promise<void>;
}

const pollMs = 1_000;

export function startRemediation(
  config: Config,
  deps: {
    readonly store: Store;
    readonly lifecycle: LifecycleService;
    readonly reports: ReportStore;
    readonly kubeconfig: KubeConfigChoice | undefined;
    readonly owner: string;
  },
  logger: Logger,
): RemediationControl | undefined {
  if (!config.remediation.enabled) return undefined;
  if (!deps.kubeconfig) {
    logger.info({}, 'remediation is off: it needs cluster access (watcher.kubeconfig or KUBECONFIG)');
    return undefined;
  }
  const service = createRemediationService({
    store: deps.store,
    lifecycle: deps.lifecycle,
    executor: createClusterExecutor({
      kubeconfig: deps.kubeconfig.config,
      store: deps.store,
      reports: deps.reports,
      homeNamespace: config.remediation.namespace,
      verifyTimeoutMs: config.remediation.verifyTimeoutSeconds * 1000,
    }),
    reports: deps.reports,
    ids: uuidV7Gen,
    clock: systemClock,
    settings: {
      requiredApprovals: (cluster) => requiredApprovalsFor(config.remediation, cluster),
      approvalTtlMs: config.remediation.approvalTtlMinutes * 60_000,
      leaseMs: (config.remediation.verifyTimeoutSeconds + 120) * 1000,
    },
    owner: deps.owner,
    logger,
  });
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = () => {
    running = service
      .expireDue()
      .then(() => service.executeDue(controller.signal))
      .catch((error: unknown) => logger.error({ err: error }, 'remediation pass failed; retrying'))
      .finally(() => {
        if (!controller.signal.aborted) timer = setTimeout(loop, pollMs);
      });
  };
  loop();
  if (config.remediation.approvers.length === 0 && Object.keys(config.remediation.clusters).length === 0)
    logger.info(
      {},
      'remediation: nobody may approve yet (set remediation.approvers to Slack user or group ids)',
    );
  return {
    service,
    async stop() {
      controller.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
