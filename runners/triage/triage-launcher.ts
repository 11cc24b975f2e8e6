/**
 * A triage run end to end for one agent profile: mint the run's read-only token, prepare the workspace, run the
 * agent command in a local sandbox, revoke the token, validate the report and keep it (Markdown, sanitized HTML,
 * transcript, metadata) in the report store, everything redacted.
 */
import type { IncidentId } from '../../core/domain/ids.ts';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { LaunchRequest, RunResult, TriageLauncher } from '../../core/ports/triage-launcher.ts';
import { defaultLocalSandbox, type LocalSandbox } from '../local/local-sandbox.ts';
import { outcomeToResult, stopLeftoverLocalRun } from '../local/local-process-launcher.ts';
import { runSandboxedProcess, stderrFile, stdoutFile } from '../local/sandboxed-process.ts';
import { prepareInvocation } from '../agents/agent-invocation.ts';
import { followAgentStream } from '../progress/follow-agent-stream.ts';
import { createProgressPublisher } from '../progress/progress-publisher.ts';
import { accessSummary, formatAccess } from '../tokens/access-summary.ts';
import { runKubeconfig } from '../tokens/run-kubeconfig.ts';
import { mintRunToken, type RunToken, type RunTokenSettings } from '../tokens/run-token.ts';
import { prepareWorkspace, type Workspace } from '../workspace/prepare-workspace.ts';
import { keepReport, keepTranscript } from './keep-report.ts';
import { latestReportMarkdown } from '../reports/latest-report.ts';
import { streamVerdict, withCost } from './run-verdict.ts';
import { redactBounded } from '../../core/domain/redact.ts';

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
  const graceMs = options.killGraceMs ?? 5_000;

  async function mint(
    request: LaunchRequest,
  ): Promise<{ token: RunToken; kubeconfig: string; summary: string } | undefined> {
    if (!options.kube) return undefined;
    const deadline = new Date(Date.now() + request.budget.wallTimeMs);
    const token = await mintRunToken(options.kube.config, options.kube.credentials, {
      id: request.run.id,
      deadline,
    });
    const kubeconfig = runKubeconfig(options.kube.config, token.token);
    const summary = formatAccess(await accessSummary(kubeconfig).catch(() => []));
    return { token, kubeconfig, summary };
  }

  const transcriptOf = async (workspace: Workspace) =>
    [
      await readFile(join(workspace.dir, stdoutFile), 'utf8').catch(() => ''),
      await readFile(join(workspace.dir, stderrFile), 'utf8').catch(() => ''),
    ].join('\n');

  /**
   * Keeps the validated report (the file, or the agent's last message when it answered with the report instead)
   * with its transcript and metadata; a run that failed or left no valid report keeps its transcript.
   */
  async function finish(
    request: LaunchRequest,
    workspace: Workspace,
    result: RunResult,
    finalText: string | undefined,
    metadata: Readonly<Record<string, unknown>>,
  ): Promise<RunResult> {
    const transcript = await transcriptOf(workspace);
    if (result.ok) {
      const markdown =
        (await readFile(workspace.reportFile, 'utf8').catch(() => undefined)) ??
        (finalText && /^##\s+Triage card/im.test(finalText) ? finalText : undefined);
      const kept =
        markdown === undefined
          ? undefined
          : await keepReport(options, request, markdown, transcript, metadata);
      if (kept?.ok) return kept;
      result = kept ?? {
        ok: false,
        failure: {
          reason: 'invalid_report',
          detail: `the agent wrote no report at ${workspace.reportFile}${finalText ? `; its last message: ${redactBounded(finalText, 200)}` : ''}`,
        },
      };
    }
    await keepTranscript(options, request, transcript).catch((error: unknown) =>
      options.logger.warn(
        { err: error, runId: request.run.id },
        "could not keep the failed run's transcript",
      ),
    );
    return result;
  }

  /** The question and the incident's latest report (its Markdown), for a follow-up run's prompt. */
  async function followUpFor(
    question: string,
    incidentId: IncidentId,
  ): Promise<{ question: string; previousReport?: string }> {
    const previousReport = await latestReportMarkdown(options, incidentId);
    return previousReport === undefined ? { question } : { question, previousReport };
  }

  return {
    runner: 'local',
    async launch(request) {
      const { run, incident, budget } = request;
      const profile = options.profiles[run.agent];
      if (!profile) {
        return {
          ok: false,
          failure: { reason: 'sandbox_error', detail: `no agent profile "${run.agent}" is configured` },
        };
      }
      const access = await mint(request).catch((error: unknown) => {
        options.logger.warn(
          { err: error, runId: run.id },
          'could not mint the run token; the run goes without cluster access',
        );
        return undefined;
      });
      try {
        const members = await options.store.incidents.members(incident.id);
        const faults = await Promise.all(
          members.map(async (member) => ({
            member,
            fault: (await options.store.faults.get(member.cluster, member.faultId))?.fault,
          })),
        );
        const followUp =
          run.question !== undefined ? await followUpFor(run.question, run.incidentId) : undefined;
        const workspace = await prepareWorkspace({
          root: options.workRoot,
          ...(followUp && { followUp }),
          run,
          incident,
          faults,
          budget,
          skillsPath: profile.skillsPath,
          ...(options.kubernetesMcpServer !== undefined && {
            kubernetesMcpServer: options.kubernetesMcpServer,
          }),
          ...(access && {
            access: {
              kubeconfig: access.kubeconfig,
              summary: access.summary,
              expiresAt: access.token.expiresAt,
            },
          }),
        });
        const timeoutMs = Math.min(budget.wallTimeMs, profile.timeoutMs ?? budget.wallTimeMs);
        const progress = createProgressPublisher({
          runId: run.id,
          bus: options.bus,
          store: options.store,
          logger: options.logger,
        });
        const sandbox = options.sandbox ?? defaultLocalSandbox;
        const invocation = await prepareInvocation(
          profile,
          workspace,
          run,
          budget,
          sandbox.kind === 'bubblewrap',
        );
        const progressFile = join(workspace.dir, 'progress.jsonl');
        const hopeless = new AbortController();
        const stream = followAgentStream(
          { stdout: join(workspace.dir, stdoutFile), progress: progressFile },
          invocation.stream,
          progress,
          () => hopeless.abort(),
        );
        const startedAt = Date.now();
        const outcome = await runSandboxedProcess({
          command: invocation.command,
          args: invocation.args,
          cwd: workspace.dir,
          env: {
            ...invocation.env,
            ...(workspace.kubeconfigFile && { KUBECONFIG: workspace.kubeconfigFile }),
            ...(workspace.mcpConfigFile && { WATCHKEEPER_MCP_CONFIG: workspace.mcpConfigFile }),
            WATCHKEEPER_RUN_ID: run.id,
            WATCHKEEPER_INCIDENT_ID: incident.id,
            WATCHKEEPER_PROMPT_FILE: workspace.promptFile,
            WATCHKEEPER_REPORT_FILE: workspace.reportFile,
            WATCHKEEPER_PROGRESS_FILE: progressFile,
          },
          timeoutMs,
          signal: AbortSignal.any([request.signal, hopeless.signal]),
          killGraceMs: graceMs,
          sandbox,
          tools: ['kubectl', 'helm', options.kubernetesMcpServer ?? 'kubernetes-mcp-server'],
          onSpawn: async (pid) => {
            await request.onSandbox({ kind: 'local', pid, host: hostname() });
            await progress.emit({
              type: 'run.started',
              agent: run.agent,
              ...(profile.model && { model: profile.model }),
            });
          },
        });
        const summary = await stream.stop();
        const usage = withCost({ ...summary.usage, durationMs: Date.now() - startedAt }, profile);
        const stoppedHopeless = hopeless.signal.aborted && !request.signal.aborted;
        const result = streamVerdict(
          await outcomeToResult(outcome, workspace.dir, timeoutMs),
          summary,
          stoppedHopeless,
        );
        const metadata = {
          agent: run.agent,
          kind: profile.kind,
          model: summary.model ?? profile.model,
          cliVersion: summary.cliVersion,
          sessionId: summary.sessionId,
          usage,
        };
        const ended = await finish(request, workspace, result, summary.finalText, metadata);
        await progress.emit(
          ended.ok
            ? { type: 'run.finished', ok: true, usage }
            : { type: 'error', message: `${ended.failure.reason}: ${ended.failure.detail}` },
        );
        if (!ended.ok) await progress.emit({ type: 'run.finished', ok: false, usage });
        return { ...ended, usage };
      } finally {
        await access?.token.revoke().catch((error: unknown) => {
          options.logger.warn(
            { err: error, runId: run.id },
            'could not revoke the run token; it expires by itself',
          );
        });
      }
    },
    reattach: (run) => stopLeftoverLocalRun(run, graceMs, options.logger),
  };
}
