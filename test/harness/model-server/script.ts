/**
 * A scripted conversation the model server plays back to any agent CLI: each step is what "the model" does
 * next. The step is chosen by how many tool results the CLI has sent back so far, so every vendor's API walks
 * the same script, and tool-less side requests (titles, session names) get a plain short answer.
 */
export type ScriptStep =
  | { readonly kind: 'shell'; readonly command: string }
  /** A tool of an MCP server, found among the offered tools by its own name (`pods_get`). */
  | { readonly kind: 'mcp'; readonly tool: string; readonly args: Readonly<Record<string, unknown>> }
  | { readonly kind: 'text'; readonly text: string };

/** What the server sends back for one request, independent of the vendor's wire format. */
export type ModelTurn =
  | {
      readonly kind: 'tool';
      readonly name: string;
      readonly namespace?: string;
      readonly input: Record<string, unknown>;
    }
  | { readonly kind: 'text'; readonly text: string };

/** The names agent CLIs give their shell tool, and the argument shape each takes. */
const shellTools: Readonly<Record<string, (command: string) => Record<string, unknown>>> = {
  Bash: (command) => ({ command, description: 'Run a diagnostic command' }),
  exec_command: (command) => ({ cmd: command }),
  shell_command: (command) => ({ command }),
  run_shell_command: (command) => ({ command, description: 'Run a diagnostic command' }),
  shell: (command) => ({ command }),
};

export interface OfferedTool {
  readonly name: string;
  /** Codex offers MCP tools inside a namespace (`mcp__kubernetes`). */
  readonly namespace?: string;
}

function findShell(
  offered: readonly OfferedTool[],
): { tool: OfferedTool; args: (c: string) => Record<string, unknown> } | undefined {
  for (const tool of offered) {
    const base = tool.name.replace(/^.*__/, '');
    const args = shellTools[tool.name] ?? (tool.name.includes('__') ? shellTools[base] : undefined);
    if (args) return { tool, args };
  }
  return undefined;
}

function findMcp(offered: readonly OfferedTool[], name: string): OfferedTool | undefined {
  return offered.find(
    (tool) => tool.name === name || tool.name.endsWith(`__${name}`) || tool.name.endsWith(`_${name}`),
  );
}

export function nextTurn(
  script: readonly ScriptStep[],
  toolResults: number,
  offered: readonly OfferedTool[],
): ModelTurn {
  if (offered.length === 0) return { kind: 'text', text: 'Kubernetes triage' };
  const step = script[Math.min(toolResults, script.length - 1)];
  if (!step) return { kind: 'text', text: 'the script is empty' };
  const names = offered
    .map((tool) => (tool.namespace ? `${tool.namespace}.${tool.name}` : tool.name))
    .join(', ');
  switch (step.kind) {
    case 'text':
      return step;
    case 'shell': {
      const shell = findShell(offered);
      if (!shell) return { kind: 'text', text: `scripted model: no shell tool among: ${names}` };
      return {
        kind: 'tool',
        name: shell.tool.name,
        ...(shell.tool.namespace && { namespace: shell.tool.namespace }),
        input: shell.args(step.command),
      };
    }
    case 'mcp': {
      const tool = findMcp(offered, step.tool);
      if (!tool) return { kind: 'text', text: `scripted model: no MCP tool ${step.tool} among: ${names}` };
      return {
        kind: 'tool',
        name: tool.name,
        ...(tool.namespace && { namespace: tool.namespace }),
        input: { ...step.args },
      };
    }
  }
}
