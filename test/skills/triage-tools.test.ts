/**
 * The lean invocations still offer everything the skill relies on. Each real CLI is started exactly as
 * prepareInvocation says (in its workspace, HOME = the workspace as the sandbox sets it) against the scripted
 * model server, which records what each request offers: the shell, file reading and writing, the CLI's way to load
 * the skill, and the Kubernetes MCP server's six read-only triage tools, which really answer with the minted
 * token. Offered nowhere: the tools a triage must not spend tokens on (web, sub-agents, metrics, the kubeconfig
 * view). With `toolset: cli-default` the MCP server offers its whole read-only set again.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentKind, AgentProfile, AgentToolset } from '../../core/domain/agent-profile.ts';
import { kindDefaults } from '../../core/domain/agent-kinds.ts';
import { Secret } from '../../core/domain/secret.ts';
import { prepareInvocation } from '../../runners/agents/agent-invocation.ts';
import { triageMcpTools } from '../../runners/agents/kubernetes-mcp.ts';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken } from '../../runners/tokens/run-token.ts';
import { prepareWorkspace } from '../../runners/workspace/prepare-workspace.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../harness/model-server/scripted-model-server.ts';
import type { ScriptStep } from '../harness/model-server/script.ts';
import { binaries } from '../harness/process.ts';
import { harness } from '../harness/use.ts';
import { createGhostPod, podStatus, setPodStatus } from '../intake/cluster-objects.ts';

type BuiltIn = Exclude<AgentKind, 'custom'>;

const baseUrls: Record<BuiltIn, (url: string) => string> = {
  'claude-code': (url) => url,
  codex: (url) => `${url}/v1`,
  gemini: (url) => url,
  goose: (url) => `${url}/v1`,
};

/** Each CLI's own names for what a triage needs: a shell, reading and writing files, loading the skill. */
const needs: Record<BuiltIn, { shell: string; read?: string; write?: string; skill?: string }> = {
  'claude-code': { shell: 'Bash', read: 'Read', write: 'Write', skill: 'Skill' },
  // Codex reads and writes files with its shell and lists skills in its instructions.
  codex: { shell: 'exec_command' },
  gemini: { shell: 'run_shell_command', read: 'read_file', write: 'write_file', skill: 'activate_skill' },
  goose: { shell: 'shell', write: 'write', skill: 'load_skill' },
};

/** Offered by some CLI's defaults, never with the triage toolset. */
const cut =
  /^(WebFetch|WebSearch|Agent|TodoWrite|NotebookEdit|web_fetch|google_web_search|invoke_agent|write_todos|view_image|multi_agent|apps__|extensionmanager__|delegate)|(pods_top|nodes_top|nodes_stats_summary|nodes_log|configuration_view)$/;

const mcpName = (tool: string) => tool.replace(/^.*(__|\.|mcp_kubernetes_)/, '');

describe('the lean invocations offer what the skill needs, and only that', () => {
  let admin: KubeClient;
  let root: string;
  let namespace: string;
  let kubeconfig: string;

  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    root = await mkdtemp(join(tmpdir(), 'wk-triage-tools-'));
    await applyManifests(admin, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    namespace = await createNamespace(admin, 'triage-tools');
    await createGhostPod(admin, namespace, 'checkout', {}, `ghost-${namespace}`);
    await setPodStatus(
      admin,
      namespace,
      'checkout',
      podStatus.crashLooping(1, 'Error', 'panic: missing DATABASE_URL'),
    );
    const token = await mintRunToken(
      admin.config,
      { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
      { id: `tools-${Date.now()}`, deadline: new Date(Date.now() + 10 * 60_000) },
    );
    kubeconfig = runKubeconfig(admin.config, token.token);
  });
  afterAll(async () => {
    await deleteNamespace(admin, namespace);
    await admin.core.deleteNode({ name: `ghost-${namespace}` }).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  /** Starts the CLI as prepared, plays `script`, returns what the model server saw. */
  async function start(
    kind: BuiltIn,
    toolset: AgentToolset,
    script: readonly ScriptStep[],
  ): Promise<ScriptedModelServer> {
    const model = await startScriptedModelServer(script);
    const incident = makeIncident();
    const run = makeRun(incident);
    const budget = { wallTimeMs: 120_000, maxTurns: 6 };
    const profile: AgentProfile = {
      name: kind,
      kind,
      command: binaries().agents[kind],
      args: [],
      env: {},
      skillsPath: kindDefaults[kind].skillsPath,
      model: 'scripted-model',
      apiKey: new Secret('test-key'),
      baseUrl: baseUrls[kind](model.url),
      toolset,
    };
    const workspace = await prepareWorkspace({
      root: join(root, `${kind}-${toolset}`),
      run,
      incident,
      faults: [],
      budget,
      skillsPath: profile.skillsPath,
      access: { kubeconfig, summary: 'read-only', expiresAt: new Date(Date.now() + 600_000) },
      kubernetesMcpServer: binaries().kubernetesMcpServer,
    });
    const invocation = await prepareInvocation(profile, workspace, run, budget, true);
    expect(invocation.args, 'never --bare: it ignores the hook settings').not.toContain('--bare');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(invocation.command, [...invocation.args], {
        cwd: workspace.dir,
        env: { PATH: invocation.env.PATH ?? '', HOME: workspace.dir, LANG: 'C.UTF-8', ...invocation.env },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await model.close();
    return model;
  }

  const script = (): ScriptStep[] => [
    { kind: 'mcp', tool: 'pods_get', args: { namespace, name: 'checkout' } },
    { kind: 'text', text: 'done' },
  ];

  it.each<BuiltIn>(['claude-code', 'codex', 'gemini', 'goose'])(
    '%s: shell, files, the skill and the six MCP triage tools; none of the cut ones',
    async (kind) => {
      const model = await start(kind, 'triage', script());
      const offered = model.requests.find((request) => request.tools.length > 0)?.tools ?? [];
      const want = needs[kind];
      for (const tool of [want.shell, want.read, want.write, want.skill].filter(Boolean))
        expect(offered, `${kind} offers ${tool}`).toContain(tool);
      const mcp = offered.filter((tool) => tool.includes('kubernetes')).map(mcpName);
      expect(mcp.sort()).toEqual([...triageMcpTools].sort());
      expect(offered.filter((tool) => cut.test(tool))).toEqual([]);
      // The skill is in front of the model, and the MCP read really ran with the triage token.
      expect(model.requests.some((request) => request.prompt.includes('kubernetes-triage'))).toBe(true);
      const answers = model.requests.flatMap((request) => request.toolResults).join('\n');
      expect(answers).toContain('panic: missing DATABASE_URL');
    },
    120_000,
  );

  it('cli-default gives the MCP server its whole read-only set back', async () => {
    const model = await start('claude-code', 'cli-default', script());
    const offered = model.requests.find((request) => request.tools.length > 0)?.tools ?? [];
    const mcp = offered.filter((tool) => tool.startsWith('mcp__kubernetes__')).map(mcpName);
    expect(mcp).toEqual(expect.arrayContaining([...triageMcpTools, 'pods_top', 'configuration_view']));
    expect(offered).toEqual(expect.arrayContaining(['Grep', 'Glob', 'Edit']));
  }, 120_000);
});
