/**
 * What every agent module (runners/agents/<cli>/) is given and gives back: the run's context in, the command
 * line, environment and stream format out. Its own file so that the modules and `agent-invocation.ts`, which
 * picks among them, do not import each other.
 */
import type { AgentProfile, AgentToolset, StreamFormat } from '../../core/domain/agent-profile.ts';
import type { RunBudget } from '../../core/domain/policies/budgets.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Workspace } from '../workspace/prepare-workspace.ts';

export interface AgentInvocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** How to read the agent's stdout as progress; absent: only the progress file is read. */
  readonly stream?: StreamFormat;
}

/** The CLIs whose own pre-tool hook runs Watchkeeper's deny policy (Goose has none: the kubectl guard does). */
export type HookedCli = 'claude-code' | 'codex' | 'gemini';

export interface InvocationContext {
  readonly profile: AgentProfile;
  readonly workspace: Workspace;
  readonly run: TriageRun;
  readonly budget: RunBudget;
  /** The command a CLI runs as its pre-tool hook: `<node> guard-tool.mjs hook <cli>`, shell-quoted. */
  readonly hookCommand: (cli: HookedCli) => string;
  /** The MCP server entry every CLI gets (from the workspace's mcp.json), when the run has cluster access. */
  readonly kubernetesMcp?: { readonly command: string; readonly args: readonly string[] };
  readonly maxTurns: number;
  /** The profile's toolset (`triage` unless it says otherwise). */
  readonly toolset: AgentToolset;
  /** The short triage system prompt's file, when the profile replaces the CLI's own (`systemPrompt: triage`). */
  readonly systemPromptFile?: string;
  /** The run is already inside Watchkeeper's sandbox (a CLI's own sandbox need not, or cannot, nest). */
  readonly contained: boolean;
}
