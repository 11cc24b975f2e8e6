/**
 * The PodRunSpec: everything the in-pod runner (runners/pod/pod-runner.ts) needs to run one triage exactly as a
 * local run would, handed over by Watchkeeper's Job sandbox as JSON in a ConfigMap. Nothing secret is in here:
 * the run's kubeconfig, its NATS credential, the profile's secret environment and the presigned upload URLs come
 * in a Secret mounted under `podPaths.secrets` (file names below). Dates travel as ISO strings and are coerced.
 *
 * Exit codes of the pod runner (the container's exit code; the one-line reason is on stderr, prefixed
 * `watchkeeper-pod-runner: `, and in /dev/termination-log, the container's termination message):
 *   0   the agent succeeded and report.md, transcript.log and run.json were uploaded
 *   1   the agent ran and failed (non-zero exit, no report); run.json says why and was uploaded
 *   3   the agent ran past the run's wall time and was stopped (artifacts uploaded as far as possible)
 *   4   an upload through a presigned URL failed (the agent's outcome is in the reason line)
 *   64  the spec (or a mounted secret file it names) is missing or invalid: the reason names the field
 *   70  the runner itself failed unexpectedly (a bug): the reason says where
 *   127 the agent CLI (the profile's `command`) is not in the image
 *   143 the runner was told to stop (SIGTERM: the Job was deleted) and stopped the agent
 *
 * Progress: the runner publishes `run.started` and every event of the agent's stream (numbered 1, 2, 3… with no
 * gap) on `progress.subject` and prints each as one JSON line on stdout; Watchkeeper publishes the final
 * `error`/`run.finished` itself, after it has validated the report, numbering on from the last event it got.
 */
import { z } from 'zod';
import { agentKinds, streamFormats, type AgentProfile } from '../../core/domain/agent-profile.ts';
import { FaultSchema, type Fault } from '../../core/domain/fault.ts';
import { asIncidentId, asRunId } from '../../core/domain/ids.ts';
import { foldReasons, type Incident, type IncidentMember } from '../../core/domain/incident.ts';
import type { RunBudget } from '../../core/domain/policies/budgets.ts';
import { ResourceRefSchema } from '../../core/domain/resource.ts';
import { runFailureReasons, runStatuses, type TriageRun } from '../../core/domain/run.ts';
import { SeveritySchema } from '../../core/domain/severity.ts';
import type { Usage } from '../../core/domain/usage.ts';
import { subjects } from '../../core/ports/subjects.ts';

export const podRunSpecVersion = 1;

export const podRunnerExitCodes = {
  succeeded: 0,
  agentFailed: 1,
  timedOut: 3,
  uploadFailed: 4,
  specInvalid: 64,
  internal: 70,
  cliMissing: 127,
  cancelled: 143,
} as const;
export type PodRunnerExitCode = (typeof podRunnerExitCodes)[keyof typeof podRunnerExitCodes];

/** The prefix of the runner's one-line failure reason on stderr and in the termination message. */
export const podFailurePrefix = 'watchkeeper-pod-runner: ';

/** Where things are inside the agent pod (deploy/docker/agent.Dockerfile and the Job spec agree on these). */
export const podPaths = {
  /** The ConfigMap mount holding `pod-run-spec.json`. */
  spec: '/var/run/watchkeeper/spec/pod-run-spec.json',
  /** The Secret mount: the files named in `podSecretFiles`. */
  secrets: '/var/run/watchkeeper/secrets',
  /** The writable emptyDir the workspace is prepared in (`<workspace>/<runId>`). */
  workspace: '/workspace',
  terminationLog: '/dev/termination-log',
} as const;

/** File names in the Secret mount. Absent files mean: not configured for this run. */
export const podSecretFiles = {
  /** The run's kubeconfig with its minted, expiring token. */
  kubeconfig: 'kubeconfig',
  /** The run's NATS user credential (`.creds` text), only publish on `watchkeeper.run.<id>.>`. */
  natsCreds: 'nats.creds',
  /** The profile's API key (handed to the CLI in the variable its kind reads). */
  apiKey: 'api-key',
  /** One file per secret environment variable of the profile: `env-<NAME>`. */
  secretEnvPrefix: 'env-',
  /** JSON `{ report, transcript, runJson }`: presigned PUT URLs (`PodUploadUrlsSchema`). */
  uploads: 'uploads.json',
} as const;

const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'a run id is 1-128 letters, digits, "_" or "-"')
  .transform(asRunId);
const IncidentIdSchema = z.string().min(1).max(128).transform(asIncidentId);

export const UsageSchema = z.object({
  inputTokens: z.number().nonnegative().exactOptional(),
  outputTokens: z.number().nonnegative().exactOptional(),
  cacheReadTokens: z.number().nonnegative().exactOptional(),
  costUsd: z.number().nonnegative().exactOptional(),
  turns: z.number().int().nonnegative().exactOptional(),
  durationMs: z.number().nonnegative().exactOptional(),
}) satisfies z.ZodType<Usage>;

export const TriageRunSchema = z.object({
  id: RunIdSchema,
  incidentId: IncidentIdSchema,
  purpose: z.enum(['triage', 'second_opinion', 'follow_up', 'remediation']),
  agent: z.string().min(1).max(128),
  runner: z.enum(['local', 'kubernetes-job']),
  cluster: z.string().min(1).max(128),
  sandbox: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('local'), pid: z.number().int(), host: z.string() }),
      z.object({ kind: z.literal('kubernetes-job'), namespace: z.string(), name: z.string() }),
    ])
    .exactOptional(),
  owner: z.string().exactOptional(),
  status: z.enum(runStatuses),
  attempt: z.number().int().nonnegative(),
  question: z.string().max(8_000).exactOptional(),
  model: z.string().max(256).exactOptional(),
  createdAt: z.coerce.date(),
  startedAt: z.coerce.date().exactOptional(),
  finishedAt: z.coerce.date().exactOptional(),
  usage: UsageSchema.exactOptional(),
  reportKey: z.string().exactOptional(),
  failure: z.object({ reason: z.enum(runFailureReasons), detail: z.string() }).exactOptional(),
}) satisfies z.ZodType<TriageRun>;

/** The incident as the prompt and incident.json need it (its state is not needed in the pod). */
export const PodIncidentSchema = z.object({
  id: IncidentIdSchema,
  fingerprint: z.string().max(512),
  cluster: z.string().min(1).max(128),
  severity: SeveritySchema,
  title: z.string().max(1_000),
  primaryResource: ResourceRefSchema,
  faultCount: z.number().int().nonnegative(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  version: z.number().int().nonnegative(),
}) satisfies z.ZodType<Omit<Incident, 'state' | 'thread' | 'previousIncidentId' | 'resolvedAt' | 'closedAt'>>;
export type PodIncident = z.infer<typeof PodIncidentSchema>;

export const IncidentMemberSchema = z.object({
  incidentId: IncidentIdSchema,
  cluster: z.string().min(1).max(128),
  faultId: z.string().min(1).max(128),
  reason: z.enum(foldReasons),
  joinedAt: z.coerce.date(),
}) satisfies z.ZodType<IncidentMember>;

export const FoldedFaultSchema = z.object({
  member: IncidentMemberSchema,
  fault: FaultSchema.exactOptional(),
});

export const RunBudgetSchema = z.object({
  wallTimeMs: z.number().int().positive(),
  maxTurns: z.number().int().positive(),
  maxCostUsd: z.number().positive().exactOptional(),
}) satisfies z.ZodType<RunBudget>;

/** The agent profile without secret values: `secretEnvNames` says which `env-<NAME>` files to read. */
export const PodAgentProfileSchema = z.object({
  name: z.string().min(1).max(128),
  kind: z.enum(agentKinds),
  command: z.string().min(1).max(1_024),
  args: z.array(z.string().max(16_000)).max(256),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(16_000)),
  secretEnvNames: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'))
    .max(64)
    .exactOptional(),
  /** Whether the profile has an API key (then the Secret holds `api-key`). */
  hasApiKey: z.boolean().exactOptional(),
  skillsPath: z.string().min(1).max(256),
  timeoutMs: z.number().int().positive().exactOptional(),
  runner: z.enum(['local', 'kubernetes-job']).exactOptional(),
  image: z.string().max(512).exactOptional(),
  model: z.string().max(256).exactOptional(),
  baseUrl: z.url().exactOptional(),
  maxTurns: z.number().int().positive().exactOptional(),
  allowedTools: z.array(z.string().max(256)).max(256).exactOptional(),
  deniedTools: z.array(z.string().max(256)).max(256).exactOptional(),
  stream: z.enum(streamFormats).exactOptional(),
  price: z
    .object({ inputUsdPerMillion: z.number().nonnegative(), outputUsdPerMillion: z.number().nonnegative() })
    .exactOptional(),
});
export type PodAgentProfile = z.infer<typeof PodAgentProfileSchema>;

export const PodRunSpecSchema = z.object({
  version: z.literal(podRunSpecVersion),
  run: TriageRunSchema,
  incident: PodIncidentSchema,
  faults: z.array(FoldedFaultSchema).max(10_000),
  budget: RunBudgetSchema,
  followUp: z
    .object({ question: z.string().max(8_000), previousReport: z.string().max(200_000).exactOptional() })
    .exactOptional(),
  /** What the run's token may do and until when (the kubeconfig itself is the Secret's `kubeconfig`). */
  access: z.object({ summary: z.string().max(8_000), expiresAt: z.coerce.date() }).exactOptional(),
  profile: PodAgentProfileSchema,
  /** The Kubernetes MCP server command in the image (`kubernetes-mcp-server` on PATH when absent). */
  kubernetesMcpServer: z.string().max(1_024).exactOptional(),
  progress: z.object({
    /** `subjects.runProgress(run.id)`; the credential may publish only under `watchkeeper.run.<id>.>`. */
    subject: z.string().min(1).max(256),
    /** NATS server URLs reachable from the pod; absent: NATS is not configured, events go to stdout only. */
    servers: z.array(z.string().min(1).max(512)).max(16).exactOptional(),
  }),
});
/** The spec as parsed (dates are Dates, ids branded). */
export type PodRunSpec = z.infer<typeof PodRunSpecSchema>;
/** The spec as Watchkeeper writes it (before coercion). */
export type PodRunSpecInput = z.input<typeof PodRunSpecSchema>;

export const PodUploadUrlsSchema = z.object({
  report: z.url(),
  transcript: z.url(),
  runJson: z.url(),
});
export type PodUploadUrls = z.infer<typeof PodUploadUrlsSchema>;

/** The content type each upload is sent with: sign the presigned PUT URLs with these (S3 checks them). */
export const podUploadContentTypes = {
  report: 'text/markdown; charset=utf-8',
  transcript: 'text/plain; charset=utf-8',
  runJson: 'application/json',
} as const satisfies Record<keyof PodUploadUrls, string>;

/** What run.json (uploaded at the end) holds. */
export const PodRunResultSchema = z.object({
  runId: z.string(),
  agent: z.string(),
  kind: z.enum(agentKinds),
  model: z.string().exactOptional(),
  cliVersion: z.string().exactOptional(),
  sessionId: z.string().exactOptional(),
  usage: UsageSchema.exactOptional(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable().exactOptional(),
  outcome: z.enum(['succeeded', 'failed', 'timed_out']),
  failure: z.string().exactOptional(),
  /** How progress left the pod: `nats` (live), or `stdout` with why NATS was not used. */
  progress: z.object({
    via: z.enum(['nats', 'stdout']),
    events: z.number().int().nonnegative(),
    natsError: z.string().exactOptional(),
  }),
  startedAt: z.coerce.date(),
  finishedAt: z.coerce.date(),
});
export type PodRunResult = z.infer<typeof PodRunResultSchema>;

/** The spec for a local profile: strips secret values so the JSON can go in a ConfigMap. */
export function podProfile(profile: AgentProfile): PodAgentProfile {
  const { secretEnv, apiKey, allowedTools, deniedTools, price, ...plain } = profile;
  return {
    ...plain,
    args: [...plain.args],
    env: { ...plain.env },
    ...(allowedTools && { allowedTools: [...allowedTools] }),
    ...(deniedTools && { deniedTools: [...deniedTools] }),
    ...(price && { price: { ...price } }),
    ...(secretEnv && { secretEnvNames: Object.keys(secretEnv) }),
    ...(apiKey && { hasApiKey: true }),
  };
}

/** The spec Watchkeeper writes for a run (JSON-ready: `JSON.stringify` turns the dates into ISO strings). */
export function buildPodRunSpec(input: {
  readonly run: TriageRun;
  readonly incident: Incident;
  readonly faults: readonly { readonly member: IncidentMember; readonly fault: Fault | undefined }[];
  readonly budget: RunBudget;
  readonly profile: AgentProfile;
  readonly followUp?: { readonly question: string; readonly previousReport?: string };
  readonly access?: { readonly summary: string; readonly expiresAt: Date };
  readonly kubernetesMcpServer?: string;
  /** NATS URLs the pod can reach; absent: progress only on the pod's stdout. */
  readonly natsServers?: readonly string[];
}): PodRunSpecInput {
  const { incident } = input;
  return {
    version: podRunSpecVersion,
    run: { ...input.run, ...(input.run.usage && { usage: { ...input.run.usage } }) },
    incident: {
      id: incident.id,
      fingerprint: incident.fingerprint,
      cluster: incident.cluster,
      severity: incident.severity,
      title: incident.title,
      primaryResource: { ...incident.primaryResource },
      faultCount: incident.faultCount,
      createdAt: incident.createdAt,
      updatedAt: incident.updatedAt,
      version: incident.version,
    },
    faults: input.faults.map(({ member, fault }) => ({
      member: { ...member },
      ...(fault && {
        fault: JSON.parse(JSON.stringify(fault)) as NonNullable<PodRunSpecInput['faults'][number]['fault']>,
      }),
    })),
    budget: { ...input.budget },
    profile: podProfile(input.profile),
    ...(input.followUp && { followUp: { ...input.followUp } }),
    ...(input.access && { access: { ...input.access } }),
    ...(input.kubernetesMcpServer !== undefined && { kubernetesMcpServer: input.kubernetesMcpServer }),
    progress: {
      subject: subjects.runProgress(input.run.id),
      ...(input.natsServers && input.natsServers.length > 0 && { servers: [...input.natsServers] }),
    },
  };
}

/** Parses a spec, with one line naming the first wrong field (for the runner's exit reason). */
export function parsePodRunSpec(
  value: unknown,
): { ok: true; spec: PodRunSpec } | { ok: false; reason: string } {
  const parsed = PodRunSpecSchema.safeParse(value);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { ok: false, reason: `pod run spec field ${field}: ${issue?.message ?? 'invalid'}` };
}
