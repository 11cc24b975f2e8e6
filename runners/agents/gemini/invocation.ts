/**
 * Gemini CLI (`@google/gemini-cli`) headless: `gemini -p` with stream-json output. Settings (in the run's HOME)
 * select API-key auth (the only way headless works), turn telemetry off, give the read-only Kubernetes MCP server
 * (trusted, so its tools are offered without asking), cap the turns and install a BeforeTool hook enforcing the
 * deny policy. `yolo` approval is needed for the shell tool to be offered at all; the hook and RBAC bound it.
 *
 * Lean by default (toolset `triage`): `tools.exclude` leaves out the built-in tools a triage never uses
 * (tools.ts); `systemPrompt: triage` replaces Gemini CLI's system prompt (`GEMINI_SYSTEM_MD`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentInvocation, InvocationContext } from '../invocation-context.ts';
import { profileEnv } from '../../../core/domain/agent-profile.ts';
import { geminiHookSettings } from './hooks.ts';
import { geminiToolsExcluded } from './tools.ts';

export async function geminiInvocation(context: InvocationContext): Promise<AgentInvocation> {
  const { profile, workspace } = context;
  const settingsDir = join(workspace.dir, '.gemini');
  await mkdir(settingsDir, { recursive: true });
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    telemetry: { enabled: false },
    privacy: { usageStatisticsEnabled: false },
    model: { maxSessionTurns: context.maxTurns },
    ...(context.toolset === 'triage' && { tools: { exclude: geminiToolsExcluded } }),
    ...(context.kubernetesMcp && {
      mcpServers: {
        kubernetes: { command: context.kubernetesMcp.command, args: context.kubernetesMcp.args, trust: true },
      },
    }),
    hooks: geminiHookSettings(context.hookCommand('gemini')),
  };
  await writeFile(join(settingsDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return {
    command: profile.command,
    args: [
      '-p',
      workspace.prompt,
      '--output-format',
      'stream-json',
      '--approval-mode',
      'yolo',
      ...(profile.model ? ['--model', profile.model] : []),
      ...profile.args,
    ],
    env: {
      ...profileEnv(profile),
      ...(profile.apiKey && { GEMINI_API_KEY: profile.apiKey.reveal() }),
      ...(profile.baseUrl && { GOOGLE_GEMINI_BASE_URL: profile.baseUrl }),
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      GEMINI_TELEMETRY_ENABLED: 'false',
      ...(context.systemPromptFile && { GEMINI_SYSTEM_MD: context.systemPromptFile }),
    },
    stream: 'gemini',
  };
}
