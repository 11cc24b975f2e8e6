import { revealAll, type Secret } from './secret.ts';

/** The agent CLIs Watchkeeper knows how to drive, and `custom` for any other command. */
export const agentKinds = ['claude-code', 'codex', 'gemini', 'goose', 'custom'] as const;
export type AgentKind = (typeof agentKinds)[number];

/** The machine-readable output formats Watchkeeper reads progress from. */
export const streamFormats = ['claude-code', 'codex', 'gemini', 'goose'] as const;
export type StreamFormat = (typeof streamFormats)[number];

export const agentToolsets = ['triage', 'cli-default'] as const;
export type AgentToolset = (typeof agentToolsets)[number];
export const agentSystemPrompts = ['cli', 'triage'] as const;
export type AgentSystemPrompt = (typeof agentSystemPrompts)[number];

/** How to run one agent CLI for a triage run (from the `agents:` configuration). */
export interface AgentProfile {
  readonly name: string;
  readonly kind: AgentKind;
  readonly command: string;
  /** `custom`: the whole argument list (with placeholders); built-in kinds: arguments added to Watchkeeper's. */
  readonly args: readonly string[];
  /** Environment for the agent: plain values from the file. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment for the agent resolved from Watchkeeper's own variables (`secretEnv`): never printed. */
  readonly secretEnv?: Readonly<Record<string, Secret>>;
  /** Where the CLI looks for skills, relative to its working folder. */
  readonly skillsPath: string;
  readonly timeoutMs?: number;
  /** `local` (a process on Watchkeeper's machine) or `kubernetes-job` (needs `image`). */
  readonly runner?: 'local' | 'kubernetes-job';
  /** The image the Kubernetes Job runner runs this agent in (deploy/docker/agent.Dockerfile). */
  readonly image?: string;
  /** The model name passed to the CLI (its own default when absent). */
  readonly model?: string;
  /** The model API's base URL: a gateway or a self-hosted model (the vendor's public API when absent). */
  readonly baseUrl?: string;
  /** The model API key, resolved from Watchkeeper's environment; handed to the CLI in the variable it reads. */
  readonly apiKey?: Secret;
  /** A cap on the agent's turns below the run budget's, where the CLI supports one. */
  readonly maxTurns?: number;
  /** Tools allowed and denied on top of Watchkeeper's defaults, in the CLI's own naming. */
  readonly allowedTools?: readonly string[];
  readonly deniedTools?: readonly string[];
  /**
   * What a built-in CLI is offered. `triage` (the default): only the built-in tools a triage uses (shell, read,
   * write, skills) and the Kubernetes MCP server's read-only triage tools, which is most of what each request
   * costs. `cli-default`: the CLI's own tool set and every read-only MCP tool, for a model that needs a tool
   * `triage` leaves out (and the benchmark's baseline). Hooks, allow-lists and the kubectl guard apply to both.
   */
  readonly toolset?: AgentToolset;
  /**
   * `cli` (the default): the CLI's own system prompt. `triage`: a short triage system prompt instead, where the
   * CLI allows replacing it (Claude Code, Codex, Gemini CLI; Goose only adds it to its own). The largest saving and the
   * riskiest: the CLI's prompt teaches the model its tools, so check a few triages with your real model first.
   */
  readonly systemPrompt?: AgentSystemPrompt;
  /** Which parser reads the agent's output; built-in kinds use their own, `custom` agents may name one. */
  readonly stream?: StreamFormat;
  /** List prices for CLIs that report tokens but no cost (US dollars per million tokens). */
  readonly price?: { readonly inputUsdPerMillion: number; readonly outputUsdPerMillion: number };
}

/** The agent's whole environment from its profile: plain values, then the revealed secrets. */
export function profileEnv(profile: Pick<AgentProfile, 'env' | 'secretEnv'>): Record<string, string> {
  return { ...profile.env, ...revealAll(profile.secretEnv ?? {}) };
}
