/**
 * The local-process sandbox: the run's workspace on this machine, the agent CLI in bubblewrap (or a bare process
 * group with `agents.localSandbox: none`), its stdout and Watchkeeper's progress file followed as progress.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SandboxRef } from '../../core/domain/run.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { prepareInvocation } from '../agents/agent-invocation.ts';
import { followAgentStream } from '../progress/follow-agent-stream.ts';
import type { Sandbox, SandboxEnd, SandboxInput, SandboxProvider } from '../sandbox/sandbox.ts';
import { streamVerdict, withCost } from '../triage/run-verdict.ts';
import { prepareWorkspace } from '../workspace/prepare-workspace.ts';
import { defaultLocalSandbox, type LocalSandbox } from './local-sandbox.ts';
import { outcomeToResult, stopLeftoverLocalRun } from './local-process-launcher.ts';
import { runSandboxedProcess, stderrFile, stdoutFile, type SandboxOutcome } from './sandboxed-process.ts';
import type { StreamSummary } from '../progress/streams/stream-parser.ts';

export interface LocalProcessSandboxOptions {
  /** Each run's workspace is `<workRoot>/<runId>/`. */
  readonly workRoot: string;
  readonly logger: Logger;
  readonly killGraceMs?: number;
  /** The read-only Kubernetes MCP server command for agents (default: `kubernetes-mcp-server` on PATH). */
  readonly kubernetesMcpServer?: string;
  /** How agent processes are contained (`agents.localSandbox`); default: bubblewrap. */
  readonly sandbox?: LocalSandbox;
}

export function localProcessSandboxes(options: LocalProcessSandboxOptions): SandboxProvider {
  const graceMs = options.killGraceMs ?? 5_000;
  const containment = options.sandbox ?? defaultLocalSandbox;
  return {
    runner: 'local',
    create: (input) => createLocalProcessSandbox(input, options, containment, graceMs),
    attach: (run) => stopLeftoverLocalRun(run, graceMs, options.logger),
  };
}

async function createLocalProcessSandbox(
  input: SandboxInput,
  options: LocalProcessSandboxOptions,
  containment: LocalSandbox,
  graceMs: number,
): Promise<Sandbox> {
  const { request, profile, progress } = input;
  const { run, incident, budget } = request;
  const workspace = await prepareWorkspace({
    root: options.workRoot,
    run,
    incident,
    faults: input.faults,
    budget,
    skillsPath: profile.skillsPath,
    ...(input.followUp && { followUp: input.followUp }),
    ...(options.kubernetesMcpServer !== undefined && { kubernetesMcpServer: options.kubernetesMcpServer }),
    ...(input.access && { access: input.access }),
  });
  const invocation = await prepareInvocation(
    profile,
    workspace,
    run,
    budget,
    containment.kind === 'bubblewrap',
  );
  const progressFile = join(workspace.dir, 'progress.jsonl');
  const stopped = new AbortController();
  const hopeless = new AbortController();
  let spawned: ((ref: SandboxRef) => void) | undefined;
  let startedAt = 0;
  let durationMs = 0;
  let summary: StreamSummary = {};
  let exited: Promise<SandboxOutcome> | undefined;

  return {
    announcesStart: false,
    start() {
      const ref = new Promise<SandboxRef>((resolve) => (spawned = resolve));
      startedAt = Date.now();
      exited = runSandboxedProcess({
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
        timeoutMs: input.timeoutMs,
        signal: AbortSignal.any([stopped.signal, hopeless.signal]),
        killGraceMs: graceMs,
        sandbox: containment,
        tools: ['kubectl', 'helm', options.kubernetesMcpServer ?? 'kubernetes-mcp-server'],
        onSpawn: (pid) => {
          spawned?.({ kind: 'local', pid, host: hostname() });
          return Promise.resolve();
        },
      });
      return Promise.race([
        ref,
        exited.then((outcome) => {
          if (outcome.kind === 'not_started') throw new SandboxNotStarted(outcome.error);
          return ref;
        }),
      ]);
    },

    async follow(signal): Promise<SandboxEnd> {
      if (!exited) throw new Error('follow() before start()');
      const stream = followAgentStream(
        { stdout: join(workspace.dir, stdoutFile), progress: progressFile },
        invocation.stream,
        { emit: (draft) => progress.emit(draft), dropped: () => 0 },
        () => hopeless.abort(),
      );
      const onAbort = () => stopped.abort();
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const outcome = await exited;
        durationMs = Date.now() - startedAt;
        summary = await stream.stop();
        const stoppedHopeless = hopeless.signal.aborted && !stopped.signal.aborted;
        const result = streamVerdict(
          await outcomeToResult(outcome, workspace.dir, input.timeoutMs),
          summary,
          stoppedHopeless,
        );
        return { result, ...(summary.finalText !== undefined && { finalText: summary.finalText }) };
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },

    async collect() {
      const transcript = [
        await readFile(join(workspace.dir, stdoutFile), 'utf8').catch(() => ''),
        await readFile(join(workspace.dir, stderrFile), 'utf8').catch(() => ''),
      ].join('\n');
      const report = await readFile(workspace.reportFile, 'utf8').catch(() => undefined);
      const usage = withCost({ ...summary.usage, durationMs }, profile);
      return {
        ...(report !== undefined && { report }),
        reportLocation: workspace.reportFile,
        transcript,
        metadata: {
          model: summary.model ?? profile.model,
          cliVersion: summary.cliVersion,
          sessionId: summary.sessionId,
          usage,
        },
      };
    },

    async stop() {
      stopped.abort();
      await exited?.catch(() => undefined);
    },
  };
}

/** The sandbox could not be started at all (bwrap missing, the command not found): the run's failure detail. */
export class SandboxNotStarted extends Error {}
