/**
 * Claude Code (`@anthropic-ai/claude-code`) headless: `claude -p` with stream-json output, an allow-list and
 * `dontAsk` (anything else is refused, not asked), the run's own MCP file only, and a PreToolUse hook enforcing
 * the deny policy. `--dangerously-skip-permissions` is never used: it is refused as root and would skip the list;
 * `--bare` is never used: it ignores the hooks in `--settings`.
 *
 * Lean by default (toolset `triage`): `--tools` offers only Bash, Read, Write and Skill — a triage runs kubectl and
 * the skill's scripts, reads incident.json and the skill, writes the report (Grep/Glob/Edit are done with Bash
 * or a rewrite; the web tools, sub-agents, notebooks and plan tools are coding features). `TodoWrite` is not a tool
 * in 2.1.x (it was named and silently ignored). `toolset: cli-default` drops `--tools`: Claude Code's own set.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationContext, AgentInvocation } from '../invocation-context.ts';
import { profileEnv } from '../../../core/domain/agent-profile.ts';
import { claudeCodeHookSettings } from './hooks.ts';

export const claudeCodeTriageTools = ['Bash', 'Read', 'Write', 'Skill'] as const;
const alwaysDenied = ['WebFetch', 'WebSearch'];

export async function claudeCodeInvocation(context: InvocationContext): Promise<AgentInvocation> {
  const { profile, workspace } = context;
  const dir = join(workspace.dir, '.claude');
  await mkdir(dir, { recursive: true });
  const settingsFile = join(dir, 'settings.json');
  await writeFile(
    settingsFile,
    `${JSON.stringify(claudeCodeHookSettings(context.hookCommand('claude-code')), null, 2)}\n`,
  );
  // Its own MCP file: the server as this profile's toolset starts it (the workspace's mcp.json has every tool).
  const mcpFile = join(dir, 'mcp.json');
  if (context.kubernetesMcp) {
    const kubernetes = { type: 'stdio', ...context.kubernetesMcp };
    await writeFile(mcpFile, `${JSON.stringify({ mcpServers: { kubernetes } }, null, 2)}\n`);
  }
  const lean = context.toolset === 'triage';
  const allowed = [
    ...(lean ? claudeCodeTriageTools : ['Bash', 'Read', 'Grep', 'Glob', 'Write', 'Edit', 'Skill']),
    ...(context.kubernetesMcp ? ['mcp__kubernetes'] : []),
    ...(profile.allowedTools ?? []),
  ];
  const denied = [...alwaysDenied, ...(profile.deniedTools ?? [])];
  return {
    command: profile.command,
    args: [
      '-p',
      workspace.prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      '--max-turns',
      String(context.maxTurns),
      '--permission-mode',
      'dontAsk',
      ...(lean ? ['--tools', claudeCodeTriageTools.join(',')] : []),
      '--allowedTools',
      allowed.join(','),
      '--disallowedTools',
      denied.join(','),
      '--settings',
      settingsFile,
      '--strict-mcp-config',
      ...(context.kubernetesMcp ? ['--mcp-config', mcpFile] : []),
      ...(context.systemPromptFile ? ['--system-prompt-file', context.systemPromptFile] : []),
      ...(profile.model ? ['--model', profile.model] : []),
      ...profile.args,
    ],
    env: {
      ...profileEnv(profile),
      ...(profile.apiKey && { ANTHROPIC_API_KEY: profile.apiKey.reveal() }),
      ...(profile.baseUrl && { ANTHROPIC_BASE_URL: profile.baseUrl }),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      // MCP tools are otherwise deferred behind a search tool; the triage needs them up front.
      ENABLE_TOOL_SEARCH: 'false',
    },
    stream: 'claude-code',
  };
}
