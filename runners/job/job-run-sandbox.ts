/**
 * The Kubernetes Job sandbox: Watchkeeper prepares no workspace for a Job. It writes the PodRunSpec (the run,
 * its incident and folded faults, the follow-up question, the budget, the profile without secrets) in a ConfigMap
 * and the secrets (the run's kubeconfig, its NATS credential, the profile's secret environment, presigned upload
 * URLs) in a Secret, both owned by the Job; the in-pod runner (runners/pod) prepares the same workspace and
 * invocation a local run gets. Progress is followed from JetStream (or the pod's log without NATS), the
 * artifacts are read back from the uploads.
 */
import type { KubeConfig, V1Pod, V1Toleration } from '@kubernetes/client-node';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import { runArtifactPrefix } from '../../core/domain/report.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import { subjects } from '../../core/ports/subjects.ts';
import type { RunResult } from '../../core/ports/triage-launcher.ts';
import {
  podFailurePrefix,
  podProfile,
  podRunnerExitCodes,
  podRunSpecVersion,
  PodRunResultSchema,
  PodRunSpecSchema,
  podSecretFiles,
  type PodRunResult,
  type PodRunSpecInput,
} from '../pod/pod-run-spec.ts';
import type { RunProgress } from '../sandbox/run-progress.ts';
import type { Sandbox, SandboxInput, SandboxProvider } from '../sandbox/sandbox.ts';
import { withCost } from '../triage/run-verdict.ts';
import {
  followJobProgressFromBus,
  followJobProgressFromLog,
  type JobProgressFollower,
} from './job-progress.ts';
import {
  createRunJob,
  deleteRunJob,
  followRunJob,
  readRunJob,
  type JobEnd,
  type JobRef,
} from './job-sandbox.ts';

export interface JobRunSandboxOptions {
  readonly profiles: Readonly<Record<string, AgentProfile>>;
  readonly kubeconfig: KubeConfig;
  /** Where run Jobs are created (`agents.jobs.namespace`). */
  readonly namespace: string;
  readonly reports: ReportStore;
  readonly bus: Bus;
  readonly logger: Logger;
  /**
   * Live progress from inside the pod: the NATS servers as the pod reaches them and a per-run credential that may
   * only publish on the run's subjects. Without it the pod prints its events and its log is read (delayed).
   */
  readonly nats?: {
    readonly servers: readonly string[];
    readonly mintRunNatsCredentials: (input: { runId: string; expiresAt: Date }) => Promise<string>;
  };
  readonly resources?: { readonly cpu: string; readonly memory: string };
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly V1Toleration[];
  readonly hostNetwork?: boolean;
  /** The Kubernetes MCP server command in the image (default `kubernetes-mcp-server` on its PATH). */
  readonly kubernetesMcpServer?: string;
  /** How long after the Job ended its pod's last events may still arrive. */
  readonly drainMs?: number;
}

/** Job names are DNS labels: the run id, lowercased, within 63 characters. */
export const jobName = (runId: string): string =>
  `wk-run-${runId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');

export const uploadKeys = (incidentId: string, runId: string) => {
  const prefix = `${runArtifactPrefix(incidentId, runId)}/upload`;
  return {
    report: `${prefix}/report.md`,
    transcript: `${prefix}/transcript.log`,
    runJson: `${prefix}/run.json`,
  };
};

/** The margin the Job gets beyond the run's wall time: the runner stops the agent itself, then uploads. */
const uploadMarginSeconds = 60;

export function jobRunSandboxes(options: JobRunSandboxOptions): SandboxProvider {
  return {
    runner: 'kubernetes-job',
    async create(input) {
      const profile = input.profile;
      if (!profile.image)
        throw new Error(
          `agent profile "${profile.name}" has no image for the Job runner (agents.profiles.${profile.name}.image)`,
        );
      const { run, incident } = input.request;
      const keys = uploadKeys(incident.id, run.id);
      const deadlineSeconds = Math.ceil(input.timeoutMs / 1000) + uploadMarginSeconds;
      const natsCreds = options.nats
        ? await options.nats.mintRunNatsCredentials({
            runId: run.id,
            expiresAt: new Date(Date.now() + deadlineSeconds * 1000),
          })
        : undefined;
      const ttl = deadlineSeconds + 600;
      const uploads = {
        // The content types the in-pod runner PUTs with (runners/pod/run-in-pod.ts): part of the signature.
        report: await options.reports.uploadLink(keys.report, 'text/markdown; charset=utf-8', ttl),
        transcript: await options.reports.uploadLink(keys.transcript, 'text/plain; charset=utf-8', ttl),
        runJson: await options.reports.uploadLink(keys.runJson, 'application/json', ttl),
      };
      const spec = podRunSpec(input, options);
      const checked = PodRunSpecSchema.safeParse(JSON.parse(JSON.stringify(spec)));
      if (!checked.success)
        throw new Error(
          `the pod run spec is invalid: ${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message}`,
        );
      const secretFiles: Record<string, string> = {
        [podSecretFiles.uploads]: JSON.stringify(uploads),
        ...(input.access && { [podSecretFiles.kubeconfig]: input.access.kubeconfig }),
        ...(natsCreds !== undefined && { [podSecretFiles.natsCreds]: natsCreds }),
        ...(profile.apiKey && { [podSecretFiles.apiKey]: profile.apiKey.reveal() }),
        ...Object.fromEntries(
          Object.entries(profile.secretEnv ?? {}).map(([name, secret]) => [
            `${podSecretFiles.secretEnvPrefix}${name}`,
            secret.reveal(),
          ]),
        ),
      };
      const ref: JobRef = { namespace: options.namespace, name: jobName(run.id) };
      return jobSandbox(options, run, profile, ref, input.progress, async () => {
        await createRunJob(options.kubeconfig, {
          name: ref.name,
          namespace: ref.namespace,
          runId: run.id,
          incidentId: incident.id,
          image: profile.image ?? '',
          // A custom profile's command runs in the image through the runner (it reads the spec's profile).
          deadlineSeconds,
          ttlSeconds: 3600,
          resources: options.resources ?? { cpu: '1', memory: '1Gi' },
          inputs: { 'pod-run-spec.json': JSON.stringify(spec) },
          secretFiles,
          ...(options.nodeSelector && { nodeSelector: options.nodeSelector }),
          ...(options.tolerations && { tolerations: options.tolerations }),
          ...(options.hostNetwork && { hostNetwork: true }),
        });
      });
    },
    async attach(run, progress) {
      if (run.sandbox?.kind !== 'kubernetes-job') return undefined;
      const ref = { namespace: run.sandbox.namespace, name: run.sandbox.name };
      const profile = options.profiles[run.agent];
      if (!profile || !(await readRunJob(options.kubeconfig, ref))) return undefined;
      return jobSandbox(options, run, profile, ref, progress, () =>
        Promise.reject(new Error('a re-attached Job is already running')),
      );
    },
  };
}

function podRunSpec(input: SandboxInput, options: JobRunSandboxOptions): PodRunSpecInput {
  const { run, incident, budget } = input.request;
  return {
    version: podRunSpecVersion,
    run,
    incident: {
      id: incident.id,
      fingerprint: incident.fingerprint,
      cluster: incident.cluster,
      severity: incident.severity,
      title: incident.title,
      primaryResource: incident.primaryResource,
      faultCount: incident.faultCount,
      createdAt: incident.createdAt,
      updatedAt: incident.updatedAt,
      version: incident.version,
    },
    faults: input.faults.map(({ member, fault }) => ({ member, ...(fault && { fault }) })),
    budget: { ...budget, wallTimeMs: input.timeoutMs },
    ...(input.followUp && { followUp: input.followUp }),
    ...(input.access && { access: { summary: input.access.summary, expiresAt: input.access.expiresAt } }),
    profile: podProfile(input.profile),
    ...(options.kubernetesMcpServer !== undefined && { kubernetesMcpServer: options.kubernetesMcpServer }),
    progress: {
      subject: subjects.runProgress(run.id),
      ...(options.nats && { servers: [...options.nats.servers] }),
    },
  };
}

function jobSandbox(
  options: JobRunSandboxOptions,
  run: TriageRun,
  profile: AgentProfile,
  ref: JobRef,
  progress: RunProgress,
  create: () => Promise<void>,
): Sandbox {
  const keys = uploadKeys(run.incidentId, run.id);
  let finished = false;
  let runResult: PodRunResult | undefined;
  let lastPod: V1Pod | undefined;
  const drainMs = options.drainMs ?? 5_000;

  const read = async (key: string) => {
    const stored = await options.reports.get(key);
    return stored && Buffer.from(stored.body).toString('utf8');
  };
  const readRunResult = async () => {
    const text = await read(keys.runJson).catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const parsed = PodRunResultSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    announcesStart: true,
    async start() {
      await create();
      return { kind: 'kubernetes-job', namespace: ref.namespace, name: ref.name };
    },

    async follow(signal) {
      const follower: JobProgressFollower = options.nats
        ? followJobProgressFromBus(options.bus, run.id, progress, options.logger)
        : followJobProgressFromLog(options.kubeconfig, ref, progress, options.logger);
      const end = await followRunJob(options.kubeconfig, ref, signal, {
        onPod: (pod) => {
          lastPod = pod;
          follower.onPod(pod);
        },
      });
      finished = true;
      const ran = end.kind === 'succeeded' || end.kind === 'failed' || end.kind === 'timeout';
      await follower.finish(ran ? drainMs : 0);
      runResult = ran ? await readRunResult() : undefined;
      if (options.nats && runResult?.progress.via === 'stdout' && lastPod) {
        // NATS was configured but the pod could not reach it: its events are in its log.
        options.logger.warn(
          { runId: run.id, natsError: runResult.progress.natsError },
          "the run's pod could not reach NATS; its progress is read from the pod's log",
        );
        const fromLog = followJobProgressFromLog(options.kubeconfig, ref, progress, options.logger);
        fromLog.onPod(lastPod);
        await fromLog.finish(drainMs);
      }
      return {
        result: jobResult(end, runResult, profile, ref),
        ...(end.kind === 'gone' && { vanished: true }),
      };
    },

    async collect() {
      const [report, transcript] = await Promise.all([read(keys.report), read(keys.transcript)]);
      runResult ??= await readRunResult();
      // The uploads are the agent's raw words: the pipeline keeps them redacted, these copies are emptied.
      await Promise.all(
        Object.values(keys).map((key) => options.reports.put(key, '', 'text/plain').catch(() => undefined)),
      );
      return {
        ...(report && { report }),
        reportLocation: `report.md (the pod uploaded none to ${keys.report})`,
        transcript: transcript ?? '',
        metadata: {
          model: runResult?.model ?? profile.model,
          cliVersion: runResult?.cliVersion,
          sessionId: runResult?.sessionId,
          ...(runResult?.usage && { usage: withCost(runResult.usage, profile) }),
          progress: runResult?.progress,
          job: `${ref.namespace}/${ref.name}`,
        },
      };
    },

    async stop() {
      if (!finished) await deleteRunJob(options.kubeconfig, ref);
    },
  };
}

const podReason = (message: string | undefined) =>
  message ? redactBounded(message.trim().replace(podFailurePrefix, ''), 500) : '';

/** How the Job's end reads as a run result, naming the cause and what to do about it. */
export function jobResult(
  end: JobEnd,
  runResult: PodRunResult | undefined,
  profile: AgentProfile,
  ref: JobRef,
): RunResult {
  const fail = (reason: 'sandbox_error' | 'crashed' | 'timeout' | 'cancelled', detail: string): RunResult => {
    const nats = runResult?.progress.natsError;
    const note = nats
      ? `; the pod could not reach NATS (${redactBounded(nats, 200)}), progress came from its log`
      : '';
    return { ok: false, failure: { reason, detail: `${detail}${note}` } };
  };
  switch (end.kind) {
    case 'succeeded':
      return { ok: true };
    case 'cancelled':
      return fail('cancelled', `stopped on request; the Job ${ref.namespace}/${ref.name} was deleted`);
    case 'timeout':
      return fail('timeout', `the Job ${ref.namespace}/${ref.name} ran past its deadline and was stopped`);
    case 'gone':
      return fail(
        'sandbox_error',
        `the Job ${ref.namespace}/${ref.name} disappeared before it finished (deleted by someone?)`,
      );
    case 'image_unavailable':
      return fail(
        'sandbox_error',
        `the agent image ${JSON.stringify(profile.image)} cannot be pulled (${end.reason}: ${podReason(end.message)}); check agents.profiles.${profile.name}.image and that the cluster's nodes can pull it`,
      );
    case 'failed': {
      const why = podReason(end.message) || podReason(runResult?.failure);
      switch (end.exitCode ?? -1) {
        case podRunnerExitCodes.cliMissing:
          return fail(
            'sandbox_error',
            `the agent image ${JSON.stringify(profile.image)} has no ${JSON.stringify(profile.command)} CLI${why ? ` (${why})` : ''}; build it from deploy/docker/agent.Dockerfile or fix agents.profiles.${profile.name}.command`,
          );
        case podRunnerExitCodes.specInvalid:
          return fail('sandbox_error', `the in-pod runner refused its inputs: ${why || 'no reason given'}`);
        case podRunnerExitCodes.uploadFailed:
          return fail(
            'sandbox_error',
            `the pod could not upload the run's artifacts: ${why || 'no reason given'}`,
          );
        case podRunnerExitCodes.internal:
          return fail('sandbox_error', `the in-pod runner failed: ${why || 'no reason given'}`);
        case podRunnerExitCodes.timedOut:
          return fail('timeout', `the agent ran past the run's wall time and was stopped in the pod`);
        default:
          return fail(
            'crashed',
            `the agent's pod exited with ${end.exitCode ?? 'an unknown code'}${why ? `: ${why}` : ''}`,
          );
      }
    }
  }
}
