/**
 * Codex (`@openai/codex`) headless: `codex exec --json` with a per-run CODEX_HOME holding config.toml: the model
 * provider (Responses API, base URL, key variable), the read-only Kubernetes MCP server with its tools approved
 * (exec never asks), and a PreToolUse hook enforcing the deny policy. Its own workspace-write sandbox (network
 * on, for the apiserver) applies only where nothing else contains the run (`agents.localSandbox: none`): inside
 * Watchkeeper's bubblewrap sandbox, which enforces the same, it cannot nest (its helper is not found there), and
 * in a Job the pod is the sandbox.
 *
 * Lean by default (toolset `triage`): the features a triage never uses are off (features.ts) and web search is
 * disabled; `systemPrompt: triage` replaces Codex's base instructions (`model_instructions_file`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentInvocation, InvocationContext } from '../invocation-context.ts';
import { profileEnv } from '../../../core/domain/agent-profile.ts';
import { codexFeaturesOff } from './features.ts';
import { codexHookSections } from './hooks.ts';
import { tomlTable } from './toml.ts';

export async function codexInvocation(context: InvocationContext): Promise<AgentInvocation> {
  const { profile, workspace } = context;
  const home = join(workspace.dir, '.codex');
  await mkdir(home, { recursive: true });
  const sections = [
    tomlTable(undefined, {
      model_provider: 'watchkeeper',
      ...(profile.model && { model: profile.model }),
      approval_policy: 'never',
      ...(context.toolset === 'triage' && { web_search: 'disabled' }),
      ...(context.systemPromptFile && { model_instructions_file: context.systemPromptFile }),
    }),
    ...(context.toolset === 'triage'
      ? [tomlTable('[features]', Object.fromEntries(codexFeaturesOff.map((name) => [name, false])))]
      : []),
    tomlTable('[model_providers.watchkeeper]', {
      name: 'Watchkeeper model API',
      base_url: profile.baseUrl ?? 'https://api.openai.com/v1',
      wire_api: 'responses',
      env_key: 'OPENAI_API_KEY',
    }),
    tomlTable('[sandbox_workspace_write]', { network_access: true }),
    ...codexHookSections(context.hookCommand('codex')),
    ...(context.kubernetesMcp
      ? [
          tomlTable('[mcp_servers.kubernetes]', {
            command: context.kubernetesMcp.command,
            args: context.kubernetesMcp.args,
            default_tools_approval_mode: 'approve',
          }),
        ]
      : []),
  ];
  await writeFile(join(home, 'config.toml'), sections.join('\n'));
  return {
    command: profile.command,
    args: [
      'exec',
      '--json',
      '--skip-git-repo-check',
      '--dangerously-bypass-hook-trust',
      '--cd',
      workspace.dir,
      '--sandbox',
      context.contained ? 'danger-full-access' : 'workspace-write',
      ...profile.args,
      workspace.prompt,
    ],
    env: {
      ...profileEnv(profile),
      CODEX_HOME: home,
      ...(profile.apiKey && { OPENAI_API_KEY: profile.apiKey.reveal() }),
    },
    stream: 'codex',
  };
}
