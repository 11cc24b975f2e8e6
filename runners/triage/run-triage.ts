/**
 * One triage run, the same for every runner: mint the run's read-only token → gather the faults (and the
 * follow-up question) → prepare and start the sandbox → follow its progress → collect and validate the report →
 * keep the artifacts (redacted) → revoke the token. A re-attached run (a Job a dead Watchkeeper started) joins
 * the same pipeline at "follow".
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { LaunchRequest, RunResult } from '../../core/ports/triage-launcher.ts';
import { latestReportMarkdown } from '../reports/latest-report.ts';
import { createRunProgress, type RunProgress } from '../sandbox/run-progress.ts';
import type { FollowUp, RunAccess, Sandbox, SandboxEnd, SandboxProvider } from '../sandbox/sandbox.ts';
import { accessSummary, formatAccess } from '../tokens/access-summary.ts';
import { runKubeconfig } from '../tokens/run-kubeconfig.ts';
import { mintRunToken, type RunToken, type RunTokenSettings } from '../tokens/run-token.ts';
import { keepReport, keepTranscript } from './keep-report.ts';

export interface RunTriageDeps {
  readonly profiles: Readonly<Record<string, AgentProfile>>;
  readonly store: Store;
  readonly reports: ReportStore;
  readonly bus: Bus;
  readonly logger: Logger;
  /** Cluster access for runs; without it agents run with no kubeconfig (and the prompt says so). */
  readonly kube?: { readonly config: KubeConfig; readonly credentials: RunTokenSettings };
  readonly sandboxes: SandboxProvider;
}

const failed = (reason: 'sandbox_error', detail: string): RunResult => ({
  ok: false,
  failure: { reason, detail },
});

export async function runTriage(deps: RunTriageDeps, request: LaunchRequest): Promise<RunResult> {
  const { run, incident, budget } = request;
  const profile = deps.profiles[run.agent];
  if (!profile) return failed('sandbox_error', `no agent profile "${run.agent}" is configured`);
  const minted = await mint(deps, request).catch((error: unknown) => {
    deps.logger.warn(
      { err: error, runId: run.id },
      'could not mint the run token; the run goes without cluster access',
    );
    return undefined;
  });
  const progress = createRunProgress({
    runId: run.id,
    bus: deps.bus,
    store: deps.store,
    logger: deps.logger,
  });
  let sandbox: Sandbox | undefined;
  try {
    const faults = await foldedFaults(deps.store, request);
    const followUp = run.question === undefined ? undefined : await followUpFor(deps, run);
    const input = {
      request,
      profile,
      faults,
      ...(followUp && { followUp }),
      ...(minted && { access: minted.access }),
      timeoutMs: Math.min(budget.wallTimeMs, profile.timeoutMs ?? budget.wallTimeMs),
      progress,
    };
    const started = await (async () => {
      sandbox = await deps.sandboxes.create(input);
      return { ref: await sandbox.start(), sandbox };
    })().catch((error: unknown) => ({ error: (error as Error).message }));
    if ('error' in started) return await end(progress, failed('sandbox_error', started.error));
    await request.onSandbox(started.ref);
    if (!started.sandbox.announcesStart)
      await progress.emit({
        type: 'run.started',
        agent: run.agent,
        ...(profile.model && { model: profile.model }),
      });
    const ended = await started.sandbox.follow(request.signal);
    return await finishRun(deps, { run, incident }, started.sandbox, progress, ended);
  } finally {
    await sandbox
      ?.stop()
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, runId: run.id }, 'could not stop the sandbox; check for leftovers'),
      );
    await minted?.token.revoke().catch((error: unknown) => {
      deps.logger.warn({ err: error, runId: run.id }, 'could not revoke the run token; it expires by itself');
    });
  }
}

/** A run a dead Watchkeeper started: followed from its last stored event when its sandbox still runs. */
export async function reattachTriage(
  deps: RunTriageDeps,
  run: TriageRun,
  signal: AbortSignal,
): Promise<RunResult | undefined> {
  const stored = await deps.store.progress.list(run.id);
  const progress = createRunProgress({
    runId: run.id,
    bus: deps.bus,
    store: deps.store,
    logger: deps.logger,
    afterSeq: stored.reduce((max, event) => Math.max(max, event.seq), 0),
  });
  const sandbox = await deps.sandboxes.attach(run, progress);
  if (!sandbox) return undefined;
  try {
    const incident = await deps.store.incidents.get(run.incidentId);
    if (!incident) return failed('sandbox_error', `the run's incident ${run.incidentId} is gone`);
    deps.logger.info({ runId: run.id }, 're-attached to a triage run that outlived its Watchkeeper');
    const ended = await sandbox.follow(signal);
    if (ended.vanished) {
      // Its sandbox was removed under us (the replica that lost the run stopped it): the run goes again.
      deps.logger.info({ runId: run.id }, "the re-attached run's sandbox is gone; the run is queued again");
      return undefined;
    }
    return await finishRun(deps, { run, incident }, sandbox, progress, ended);
  } finally {
    await sandbox.stop().catch(() => undefined);
  }
}

type RunOf = Pick<LaunchRequest, 'run' | 'incident'>;

async function finishRun(
  deps: RunTriageDeps,
  request: RunOf,
  sandbox: Sandbox,
  progress: RunProgress,
  ended: SandboxEnd,
): Promise<RunResult> {
  const artifacts = await sandbox.collect();
  let result = ended.result;
  if (result.ok) {
    // The report file, or the agent's last message when it answered with the report instead.
    const markdown =
      artifacts.report ??
      (ended.finalText && /^##\s+Triage card/im.test(ended.finalText) ? ended.finalText : undefined);
    const metadata = {
      agent: request.run.agent,
      kind: deps.profiles[request.run.agent]?.kind,
      ...artifacts.metadata,
    };
    const kept =
      markdown === undefined
        ? undefined
        : await keepReport(deps, request, markdown, artifacts.transcript, metadata);
    result = kept?.ok
      ? kept
      : (kept ?? {
          ok: false,
          failure: {
            reason: 'invalid_report',
            detail: `the agent wrote no report at ${artifacts.reportLocation}${ended.finalText ? `; its last message: ${redactBounded(ended.finalText, 200)}` : ''}`,
          },
        });
  }
  if (!result.ok)
    await keepTranscript(deps, request, artifacts.transcript).catch((error: unknown) =>
      deps.logger.warn({ err: error, runId: request.run.id }, "could not keep the failed run's transcript"),
    );
  const usage = artifacts.metadata.usage;
  return end(progress, usage ? { ...result, usage } : result);
}

/** The run's last events: what went wrong, and that it finished (unless the sandbox already said so). */
async function end(progress: RunProgress, result: RunResult): Promise<RunResult> {
  if (!result.ok)
    await progress.emit({ type: 'error', message: `${result.failure.reason}: ${result.failure.detail}` });
  if (!progress.finished())
    await progress.emit({
      type: 'run.finished',
      ok: result.ok,
      ...(result.usage && { usage: result.usage }),
    });
  return result;
}

async function mint(
  deps: RunTriageDeps,
  request: LaunchRequest,
): Promise<{ token: RunToken; access: RunAccess } | undefined> {
  if (!deps.kube) return undefined;
  const deadline = new Date(Date.now() + request.budget.wallTimeMs);
  const token = await mintRunToken(deps.kube.config, deps.kube.credentials, { id: request.run.id, deadline });
  const kubeconfig = runKubeconfig(deps.kube.config, token.token);
  const summary = formatAccess(await accessSummary(kubeconfig).catch(() => []));
  return { token, access: { kubeconfig, summary, expiresAt: token.expiresAt } };
}

/** The incident's faults and why each was folded in: the prompt and incident.json list them. */
async function foldedFaults(store: Store, request: RunOf) {
  const members = await store.incidents.members(request.incident.id);
  return Promise.all(
    members.map(async (member) => ({
      member,
      fault: (await store.faults.get(member.cluster, member.faultId))?.fault,
    })),
  );
}

/** The question and the incident's latest report (its Markdown), for a follow-up run's prompt. */
async function followUpFor(deps: RunTriageDeps, run: TriageRun): Promise<FollowUp> {
  const question = run.question ?? '';
  const previousReport = await latestReportMarkdown(deps, run.incidentId);
  return previousReport === undefined ? { question } : { question, previousReport };
}
