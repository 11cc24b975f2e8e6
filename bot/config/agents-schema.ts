/** The `agents:` section: the agent CLIs triage runs use. */
import { z } from 'zod';
import { agentKinds, streamFormats } from '../../core/domain/agent-profile.ts';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

export const AgentProfileSchema = z
  .strictObject({
    /** A built-in agent CLI Watchkeeper drives itself, or `custom`: any command with a templated argument list. */
    kind: z.enum(agentKinds).default('custom'),
    /** The CLI to run: required for `custom`; built-in kinds default to their own (`claude`, `codex`, …). */
    command: z.string().min(1).optional(),
    /** `custom`: the whole argument list ({promptFile}, {reportFile}, …); built-in kinds: arguments added at the end. */
    args: z.array(z.string()).default([]),
    /** Plain, non-secret environment for the agent. */
    env: z.record(envName, z.string()).default({}),
    /** Names of Watchkeeper's environment variables copied to the agent (API keys, tokens). */
    secretEnv: z.array(envName).default([]),
    /** Where the CLI looks for skills, relative to its working folder (built-in kinds know theirs). */
    skillsPath: z.string().min(1).optional(),
    timeoutMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .optional(),
    /** `local` (default) or `kubernetes-job` (any kind; runs in the watched cluster from `image`). */
    runner: z.enum(['local', 'kubernetes-job']).default('local'),
    image: z.string().min(1).optional(),
    /** The model the CLI uses (its own default when absent). */
    model: z.string().min(1).optional(),
    /** The model API's base URL, for gateways and self-hosted models (Anthropic and Gemini: the host; OpenAI: …/v1). */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Watchkeeper's environment variable holding the model API key (default: the CLI's usual one). */
    apiKeyEnv: envName.optional(),
    /** A cap on the agent's turns below the incident budget's (Claude Code, Gemini CLI, Goose). */
    maxTurns: z.int().positive().max(1_000).optional(),
    /** Tools allowed or denied on top of Watchkeeper's defaults, in the CLI's own naming (Claude Code). */
    allowedTools: z.array(z.string().min(1)).optional(),
    deniedTools: z.array(z.string().min(1)).optional(),
    /** Which output format to read progress from; for a `custom` command that wraps a known CLI. */
    stream: z.enum(streamFormats).optional(),
    /** List prices, so runs of CLIs that report tokens only (Codex, Gemini CLI, Goose) show a cost. */
    price: z
      .strictObject({
        inputUsdPerMillion: z.number().nonnegative(),
        outputUsdPerMillion: z.number().nonnegative(),
      })
      .optional(),
  })
  // Every kind runs in a Job (the in-pod runner drives the CLI as a local run would); the image holds the CLI.
  .superRefine((profile, ctx) => {
    if (profile.runner === 'kubernetes-job' && profile.image === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['image'],
        message:
          'required when runner is kubernetes-job (an image built from deploy/docker/agent.Dockerfile)',
      });
  });

export const AgentsSchema = z
  .strictObject({
    /** The profile triage runs use unless a person picks another. */
    default: z.string().min(1).optional(),
    /** Run working folders. Default: `<stateDir>/runs`. */
    workDir: z.string().min(1).optional(),
    /** The ServiceAccount whose short-lived tokens runs get (see deploy/rbac/triage-readonly.yaml). */
    credentials: z
      .strictObject({
        namespace: z.string().min(1).default('watchkeeper-system'),
        serviceAccount: z.string().min(1).default('watchkeeper-triage'),
      })
      .prefault({}),
    /** The read-only Kubernetes MCP server agents get (a command on the agent's PATH, or an absolute path). */
    kubernetesMcpServer: z.string().min(1).default('kubernetes-mcp-server'),
    /**
     * How local runs are contained: a bubblewrap sandbox (default; its user, network and extra read-only
     * paths may be set here), or `none` (no containment: warned at start and shown on every card).
     */
    localSandbox: z
      .union([
        z.literal('none'),
        z.strictObject({
          uid: z.int().min(1).max(4_294_967_294).default(65534),
          gid: z.int().min(1).max(4_294_967_294).default(65534),
          network: z.enum(['host', 'none']).default('host'),
          readOnlyPaths: z.array(z.string().regex(/^\//, 'an absolute path')).default([]),
        }),
      ])
      .prefault({}),
    /** Where `kubernetes-job` runs are created. */
    jobs: z.strictObject({ namespace: z.string().min(1).default('watchkeeper-runs') }).prefault({}),
    profiles: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a short lowercase name'), AgentProfileSchema)
      .default({}),
  })
  .prefault({});
