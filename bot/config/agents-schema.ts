/** The `agents:` section: the agent CLIs triage runs use. */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

export const AgentProfileSchema = z.strictObject({
  /** `custom`: any command; built-in kinds for Claude Code, Codex, Gemini CLI and Goose come later. */
  kind: z.literal('custom').default('custom'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Plain, non-secret environment for the agent. */
  env: z.record(envName, z.string()).default({}),
  /** Names of Watchkeeper's environment variables copied to the agent (API keys, tokens). */
  secretEnv: z.array(envName).default([]),
  /** Where the CLI looks for skills, relative to its working folder. */
  skillsPath: z.string().min(1).default('.skills'),
  timeoutMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .optional(),
  /** `local` (default) or `kubernetes-job` (runs in the watched cluster; needs `image`). */
  runner: z.enum(['local', 'kubernetes-job']).default('local'),
  image: z.string().min(1).optional(),
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
    /** Where `kubernetes-job` runs are created. */
    jobs: z.strictObject({ namespace: z.string().min(1).default('watchkeeper-runs') }).prefault({}),
    profiles: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a short lowercase name'), AgentProfileSchema)
      .default({}),
  })
  .prefault({});
