/**
 * The Kubernetes Job runner: every run goes through the run pipeline (runners/triage/run-triage.ts) in a Job
 * sandbox (job-run-sandbox.ts); a restarted Watchkeeper re-attaches to Jobs that still run.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { TriageLauncher } from '../../core/ports/triage-launcher.ts';
import type { RunTokenSettings } from '../tokens/run-token.ts';
import { launcherOver } from '../triage/triage-launcher.ts';
import { jobRunSandboxes, type JobRunSandboxOptions } from './job-run-sandbox.ts';

export interface JobLauncherOptions extends Omit<
  JobRunSandboxOptions,
  'kubeconfig' | 'profiles' | 'reports' | 'bus' | 'logger'
> {
  readonly profiles: Readonly<Record<string, AgentProfile>>;
  readonly kube: { readonly config: KubeConfig; readonly credentials: RunTokenSettings };
  readonly store: Store;
  readonly reports: ReportStore;
  readonly bus: Bus;
  readonly logger: Logger;
}

export function createJobLauncher(options: JobLauncherOptions): TriageLauncher {
  const { kube, store, ...rest } = options;
  return launcherOver(
    {
      profiles: options.profiles,
      store,
      reports: options.reports,
      bus: options.bus,
      logger: options.logger,
      kube,
    },
    jobRunSandboxes({ ...rest, kubeconfig: kube.config }),
  );
}
