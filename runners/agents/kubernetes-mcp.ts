/**
 * The Kubernetes MCP server (npm `kubernetes-mcp-server`) as each CLI starts it. With the `triage` toolset it
 * offers only the read-only tools a triage uses: reading pods, their logs and events, and any object by kind.
 * Its metrics tools (`pods_top`, `nodes_top`, `nodes_stats_summary`) and `nodes_log` need access the triage token
 * does not have; `configuration_view` shows the kubeconfig; `namespaces_list`/`projects_list`/`pods_list` are
 * covered by `resources_list`. Each schema costs 150–500 tokens in every request, so the 8 left out save ~2k
 * tokens a request (the server's own `enabled_tools`, set in a config file: it has no flag for it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentToolset } from '../../core/domain/agent-profile.ts';
import type { Workspace } from '../workspace/prepare-workspace.ts';

export const triageMcpTools = [
  'pods_get',
  'pods_list_in_namespace',
  'pods_log',
  'events_list',
  'resources_get',
  'resources_list',
] as const;

export interface McpServerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export async function kubernetesMcpFor(
  workspace: Workspace,
  toolset: AgentToolset,
): Promise<McpServerCommand | undefined> {
  const base = workspace.kubernetesMcp;
  if (!base || toolset === 'cli-default') return base;
  const dir = join(workspace.dir, '.watchkeeper');
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'kubernetes-mcp.toml');
  const tools = triageMcpTools.map((tool) => JSON.stringify(tool)).join(', ');
  await writeFile(
    config,
    `# Written by Watchkeeper for this run: the read-only tools a triage uses.\nenabled_tools = [${tools}]\n`,
  );
  return { command: base.command, args: [...base.args, '--toolsets', 'core', '--config', config] };
}
