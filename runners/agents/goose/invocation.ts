/**
 * Goose (`@aaif/goose-binary-linux-x64`) headless: `goose run` with stream-json output, the developer extension
 * (shell) and the read-only Kubernetes MCP server as a stdio extension, an OpenAI-compatible provider. Goose has
 * no pre-tool hook we rely on: the kubectl guard on its PATH enforces the deny policy.
 *
 * Lean by default (toolset `triage`): `--no-profile` with only the developer (shell, files) and skills (`load_skill`)
 * extensions, so the default apps, extension-manager and summon (`delegate`, sub-agents) tools are not offered. Goose cannot replace
 * its system prompt from the command line: `systemPrompt: triage` puts the short triage prompt where Goose looks
 * for a customized template (`$XDG_CONFIG_HOME/goose/prompts/system.md`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentInvocation, InvocationContext } from '../invocation-context.ts';
import { profileEnv } from '../../../core/domain/agent-profile.ts';
import { triageSystemPrompt } from '../triage-system-prompt.ts';

/** Goose takes an OpenAI-style base URL (`https://host/v1`) as a host and a path to the completions endpoint. */
function openAiHost(baseUrl: string): Record<string, string> {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  return { OPENAI_HOST: url.origin, OPENAI_BASE_PATH: `${path === '' ? 'v1' : path}/chat/completions` };
}

/**
 * Goose reads its system prompt template from `<config dir>/prompts/system.md` when one is there: a config
 * folder of the run's own, holding only that template, replaces it (the profile's `--no-profile` run reads no
 * other configuration from it).
 */
async function gooseConfigWithPrompt(context: InvocationContext): Promise<string> {
  const root = join(context.workspace.dir, '.watchkeeper', 'goose-config');
  await mkdir(join(root, 'goose', 'prompts'), { recursive: true });
  await writeFile(join(root, 'goose', 'prompts', 'system.md'), triageSystemPrompt);
  return root;
}

export async function gooseInvocation(context: InvocationContext): Promise<AgentInvocation> {
  const { profile, workspace } = context;
  const mcp = context.kubernetesMcp;
  const lean = context.toolset === 'triage';
  const configHome = context.systemPromptFile ? await gooseConfigWithPrompt(context) : undefined;
  return {
    command: profile.command,
    args: [
      'run',
      '--no-session',
      ...(lean
        ? // Only the extensions named here: not the default apps/extension manager, nor any configured one.
          ['--no-profile', '--with-builtin', 'developer,skills']
        : ['--with-builtin', 'developer']),
      ...(mcp ? ['--with-extension', [mcp.command, ...mcp.args].join(' ')] : []),
      '--output-format',
      'stream-json',
      '--max-turns',
      String(context.maxTurns),
      '-i',
      workspace.promptFile,
      ...profile.args,
    ],
    env: {
      GOOSE_PROVIDER: 'openai',
      ...(profile.model && { GOOSE_MODEL: profile.model }),
      ...(profile.baseUrl && openAiHost(profile.baseUrl)),
      ...(profile.apiKey && { OPENAI_API_KEY: profile.apiKey.reveal() }),
      GOOSE_MODE: 'auto',
      GOOSE_DISABLE_KEYRING: '1',
      // Goose 1.5x reads only `true` here (`1` is ignored and costs a title request per triage).
      GOOSE_DISABLE_SESSION_NAMING: 'true',
      GOOSE_DISABLE_TOOL_CALL_SUMMARY: '1',
      ...(configHome && { XDG_CONFIG_HOME: configHome }),
      ...profileEnv(profile),
    },
    stream: 'goose',
  };
}
