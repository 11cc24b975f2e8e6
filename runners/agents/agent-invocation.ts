/**
 * Turns an agent profile and a prepared workspace into the command line, environment and config files one run
 * of its CLI needs: headless mode, machine-readable output, the read-only Kubernetes MCP server, the deny hooks
 * and the kubectl guard, the model and its API. Adding an agent needs a `custom` profile, never code here.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { RunBudget } from '../../core/domain/policies/budgets.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { Workspace } from '../workspace/prepare-workspace.ts';
import { claudeCodeInvocation } from './claude-code/invocation.ts';
import { codexInvocation } from './codex/invocation.ts';
import { customInvocation } from './custom/invocation.ts';
import { geminiInvocation } from './gemini/invocation.ts';
import { gooseInvocation } from './goose/invocation.ts';
import type { AgentInvocation, InvocationContext } from './invocation-context.ts';
import { kubernetesMcpFor } from './kubernetes-mcp.ts';
import { writeTriageSystemPrompt } from './triage-system-prompt.ts';

export type { AgentInvocation, InvocationContext } from './invocation-context.ts';

const guardScript = fileURLToPath(new URL('../hooks/guard-tool.mjs', import.meta.url));

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** A `kubectl` first on the agent's PATH that refuses mutating commands for every CLI, Goose included. */
async function installKubectlGuard(workspace: Workspace): Promise<{ dir: string; shim: string }> {
  const dir = join(workspace.dir, '.watchkeeper', 'bin');
  await mkdir(dir, { recursive: true });
  const shim = join(dir, 'kubectl');
  await writeFile(shim, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(guardScript)} kubectl "$@"\n`);
  await chmod(shim, 0o755);
  return { dir, shim };
}

export async function prepareInvocation(
  profile: AgentProfile,
  workspace: Workspace,
  run: TriageRun,
  budget: RunBudget,
  contained = false,
): Promise<AgentInvocation> {
  const guard = await installKubectlGuard(workspace);
  const kubernetesMcp = await kubernetesMcpFor(workspace, profile.toolset ?? 'triage');
  const context: InvocationContext = {
    profile,
    workspace,
    run,
    budget,
    hookCommand: (cli) => `${quote(process.execPath)} ${quote(guardScript)} hook ${cli}`,
    ...(kubernetesMcp && { kubernetesMcp }),
    toolset: profile.toolset ?? 'triage',
    ...(profile.systemPrompt === 'triage' && { systemPromptFile: await writeTriageSystemPrompt(workspace) }),
    maxTurns: Math.min(budget.maxTurns, profile.maxTurns ?? budget.maxTurns),
    contained,
  };
  const built = await {
    'claude-code': claudeCodeInvocation,
    codex: codexInvocation,
    gemini: geminiInvocation,
    goose: gooseInvocation,
    custom: customInvocation,
  }[profile.kind](context);
  return {
    ...built,
    env: {
      ...built.env,
      PATH: `${guard.dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      WATCHKEEPER_GUARD_SHIM: guard.shim,
      WATCHKEEPER_WORKSPACE: workspace.dir,
    },
  };
}
