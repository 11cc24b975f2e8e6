/**
 * One triage run inside the agent pod, with the code a local run uses: the same workspace (prompt, incident.json,
 * skills, kubeconfig, mcp.json), the same invocation (headless flags, deny hooks, kubectl guard; `contained`: the
 * pod is the sandbox), the same stream parsers and progress numbering/redaction. Progress goes out as it happens
 * (NATS and stdout, see pod-progress-sink.ts); at the end the report, transcript and run.json are uploaded.
 * `run.finished` is not published here: Watchkeeper publishes it once it has validated the report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redact, redactJson } from '../../core/domain/redact.ts';
import { prepareInvocation } from '../agents/agent-invocation.ts';
import { outcomeToResult } from '../local/local-process-launcher.ts';
import { runSandboxedProcess, stderrFile, stdoutFile } from '../local/sandboxed-process.ts';
import { followAgentStream } from '../progress/follow-agent-stream.ts';
import { createProgressPublisher } from '../progress/progress-publisher.ts';
import { streamVerdict, withCost } from '../triage/run-verdict.ts';
import { prepareWorkspace } from '../workspace/prepare-workspace.ts';
import { findCommand } from './find-command.ts';
import { PodInputError, readPodInputs, type PodLocations } from './pod-inputs.ts';
import { openPodProgressSink } from './pod-progress-sink.ts';
import {
  podRunnerExitCodes,
  podUploadContentTypes,
  type PodRunResult,
  type PodRunnerExitCode,
} from './pod-run-spec.ts';
import { uploadArtifact } from './pod-uploads.ts';

export interface PodExit {
  readonly code: PodRunnerExitCode;
  /** One line for stderr and the termination message; absent on success. */
  readonly reason?: string;
}

export interface PodRunOptions {
  /** Aborted when the pod is told to stop (SIGTERM: the Job was deleted). */
  readonly signal: AbortSignal;
  /** Diagnostics (stderr in the pod). */
  readonly warn: (message: string) => void;
  readonly writeLine?: (line: string) => void;
  readonly killGraceMs?: number;
}

const oneLine = (text: string, max = 600) => redact(text.replace(/\s+/g, ' ').trim()).slice(0, max);

export async function runInPod(locations: PodLocations, options: PodRunOptions): Promise<PodExit> {
  let inputs;
  try {
    inputs = await readPodInputs(locations);
  } catch (error) {
    if (error instanceof PodInputError)
      return { code: podRunnerExitCodes.specInvalid, reason: error.message };
    throw error;
  }
  const { spec, profile, incident } = inputs;
  const { run, budget } = spec;
  if (!findCommand(profile.command))
    return {
      code: podRunnerExitCodes.cliMissing,
      reason: `the agent CLI "${profile.command}" of profile ${profile.name} is not in the image (not found on PATH ${process.env.PATH ?? ''})`,
    };

  const workspace = await prepareWorkspace({
    root: locations.workspaceRoot,
    run,
    incident,
    faults: spec.faults.map(({ member, fault }) => ({ member, fault })),
    budget,
    skillsPath: profile.skillsPath,
    ...(spec.followUp && { followUp: spec.followUp }),
    ...(spec.kubernetesMcpServer !== undefined && { kubernetesMcpServer: spec.kubernetesMcpServer }),
    ...(spec.access &&
      inputs.kubeconfig !== undefined && {
        access: { kubeconfig: inputs.kubeconfig, ...spec.access },
      }),
  });
  const progress = await openPodProgressSink({
    runId: run.id,
    subject: spec.progress.subject,
    servers: spec.progress.servers,
    creds: inputs.natsCreds,
    warn: options.warn,
    ...(options.writeLine && { writeLine: options.writeLine }),
  });
  const publisher = createProgressPublisher({ runId: run.id, sink: progress.sink });
  const invocation = await prepareInvocation(profile, workspace, run, budget, true);
  const progressFile = join(workspace.dir, 'progress.jsonl');
  const hopeless = new AbortController();
  const stream = followAgentStream(
    { stdout: join(workspace.dir, stdoutFile), progress: progressFile },
    invocation.stream,
    publisher,
    () => hopeless.abort(),
  );
  const timeoutMs = Math.min(budget.wallTimeMs, profile.timeoutMs ?? budget.wallTimeMs);
  const startedAt = new Date();
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
    signal: AbortSignal.any([options.signal, hopeless.signal]),
    killGraceMs: options.killGraceMs ?? 5_000,
    // The pod is the sandbox (non-root, read-only root, no capabilities): a process group is enough here.
    sandbox: { kind: 'none' },
    onSpawn: () =>
      publisher.emit({
        type: 'run.started',
        agent: run.agent,
        ...(profile.model && { model: profile.model }),
      }),
  });
  const summary = await stream.stop();
  const finishedAt = new Date();
  const usage = withCost(
    { ...summary.usage, durationMs: finishedAt.getTime() - startedAt.getTime() },
    profile,
  );
  const stoppedHopeless = hopeless.signal.aborted && !options.signal.aborted;
  let result = streamVerdict(
    await outcomeToResult(outcome, workspace.dir, timeoutMs),
    summary,
    stoppedHopeless,
  );

  const report =
    (await readFile(workspace.reportFile, 'utf8').catch(() => undefined)) ??
    (summary.finalText && /^##\s+Triage card/im.test(summary.finalText) ? summary.finalText : undefined);
  if (result.ok && report === undefined)
    result = {
      ok: false,
      failure: { reason: 'invalid_report', detail: `the agent wrote no report at ${workspace.reportFile}` },
    };
  const transcript = [
    await readFile(join(workspace.dir, stdoutFile), 'utf8').catch(() => ''),
    await readFile(join(workspace.dir, stderrFile), 'utf8').catch(() => ''),
  ].join('\n');

  await progress.close();
  const outcomeName = result.ok ? 'succeeded' : outcome.kind === 'timeout' ? 'timed_out' : 'failed';
  const runJson: PodRunResult = {
    runId: run.id,
    agent: run.agent,
    kind: profile.kind,
    ...((summary.model ?? profile.model) !== undefined && { model: summary.model ?? profile.model }),
    ...(summary.cliVersion !== undefined && { cliVersion: summary.cliVersion }),
    ...(summary.sessionId !== undefined && { sessionId: summary.sessionId }),
    usage,
    exitCode: outcome.kind === 'exited' ? outcome.code : null,
    signal: outcome.kind === 'exited' ? outcome.signal : null,
    outcome: outcomeName,
    ...(!result.ok && { failure: `${result.failure.reason}: ${result.failure.detail}` }),
    progress: progress.state(),
    startedAt,
    finishedAt,
  };
  const uploads = [
    ...(report === undefined
      ? []
      : [
          {
            name: 'report.md',
            url: inputs.uploads.report,
            body: redact(report),
            contentType: podUploadContentTypes.report,
          },
        ]),
    {
      name: 'transcript.log',
      url: inputs.uploads.transcript,
      body: redact(transcript),
      contentType: podUploadContentTypes.transcript,
    },
    {
      name: 'run.json',
      url: inputs.uploads.runJson,
      body: JSON.stringify(redactJson(runJson), null, 2),
      contentType: podUploadContentTypes.runJson,
    },
  ];
  const failedUploads: string[] = [];
  for (const upload of uploads)
    await uploadArtifact(upload).catch((error: unknown) => failedUploads.push((error as Error).message));

  if (options.signal.aborted)
    return {
      code: podRunnerExitCodes.cancelled,
      reason: 'stopped on request (the pod was told to terminate)',
    };
  if (failedUploads.length > 0)
    return {
      code: podRunnerExitCodes.uploadFailed,
      reason: oneLine(`${failedUploads.join('; ')} (the agent ${result.ok ? 'succeeded' : 'failed'})`),
    };
  if (result.ok) return { code: podRunnerExitCodes.succeeded };
  return {
    code: outcome.kind === 'timeout' ? podRunnerExitCodes.timedOut : podRunnerExitCodes.agentFailed,
    reason: oneLine(`${result.failure.reason}: ${result.failure.detail}`),
  };
}
