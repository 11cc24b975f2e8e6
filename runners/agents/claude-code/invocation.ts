/**
 * Claude Code (`@anthropic-ai/claude-code`) headless: `claude -p` with stream-json output, an allow-list and
 * `dontAsk` (anything else is refused, not asked), the run's MCP file only, and a PreToolUse hook enforcing the
 * deny policy. `--dangerously-skip-permissions` is never used: it is refused as root and would skip the list.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationContext, AgentInvocation } from '../invocation-context.ts';
import { profileEnv } from '../../../core/domain/agent-profile.ts';
import { claudeCodeHookSettings } from './hooks.ts';

const builtInTools = ['Bash', 'Read', 'Grep', 'Glob', 'Write', 'Edit', 'Skill', 'TodoWrite'];
const alwaysDenied = ['WebFetch', 'WebSearch'];

export async function claudeCodeInvocation(context: InvocationContext): Promise<AgentInvocation> {
  const { profile, workspace } = context;
  const settingsFile = join(workspace.dir, '.claude', 'settings.json');
  await mkdir(join(workspace.dir, '.claude'), { recursive: true });
  const settings = claudeCodeHookSettings(context.hookCommand('claude-code'));
  await writeFile(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  const allowed = [
    ...builtInTools,
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
      '--tools',
      builtInTools.join(','),
      '--allowedTools',
      allowed.join(','),
      '--disallowedTools',
      denied.join(','),
      '--settings',
      settingsFile,
      '--strict-mcp-config',
      ...(workspace.mcpConfigFile ? ['--mcp-config', workspace.mcpConfigFile] : []),
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
