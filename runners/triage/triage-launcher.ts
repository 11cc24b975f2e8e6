/**
 * The local runner: every triage run goes through the run pipeline (run-triage.ts) in a local-process sandbox
 * (bubblewrap by default), with the run's read-only token, its workspace, and its report kept redacted.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { TriageLauncher } from '../../core/ports/triage-launcher.ts';
import type { LocalSandbox } from '../local/local-sandbox.ts';
import { localProcessSandboxes } from '../local/local-process-sandbox.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import type { RunTokenSettings } from '../tokens/run-token.ts';
import { reattachTriage, runTriage, type RunTriageDeps } from './run-triage.ts';

export interface TriageLauncherOptions {
  readonly profiles: Readonly<Record<string, AgentProfile>>;
  readonly workRoot: string;
  readonly store: Store;
  readonly reports: ReportStore;
  readonly bus: Bus;
  /** Cluster access for runs; without it agents run with no kubeconfig (and the prompt says so). */
  readonly kube?: { readonly config: KubeConfig; readonly credentials: RunTokenSettings };
  readonly logger: Logger;
  readonly killGraceMs?: number;
  /** The read-only Kubernetes MCP server command for agents (default: `kubernetes-mcp-server` on PATH). */
  readonly kubernetesMcpServer?: string;
  /** How agent processes are contained (`agents.localSandbox`); default: bubblewrap. */
  readonly sandbox?: LocalSandbox;
}

export function createTriageLauncher(options: TriageLauncherOptions): TriageLauncher {
  return launcherOver(
    options,
    localProcessSandboxes({
      workRoot: options.workRoot,
      logger: options.logger,
      ...(options.killGraceMs !== undefined && { killGraceMs: options.killGraceMs }),
      ...(options.kubernetesMcpServer !== undefined && { kubernetesMcpServer: options.kubernetesMcpServer }),
      ...(options.sandbox && { sandbox: options.sandbox }),
    }),
  );
}

/** A launcher running every run through the pipeline in one kind of sandbox. */
export function launcherOver(
  deps: Omit<RunTriageDeps, 'sandboxes'>,
  sandboxes: SandboxProvider,
): TriageLauncher {
  const pipeline: RunTriageDeps = { ...deps, sandboxes };
  return {
    runner: sandboxes.runner,
    launch: (request) => runTriage(pipeline, request),
    reattach: (run, signal) => reattachTriage(pipeline, run, signal),
  };
}
