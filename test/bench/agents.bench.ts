/**
 * `npm run bench:agents`: what each built-in agent CLI sends the model for one triage. The real Claude Code,
 * Codex, Gemini CLI and Goose each play the same scripted 4-step triage (kubectl, an MCP read, a denied delete,
 * the report) against the scripted model server, which records every request; once with Watchkeeper's invocation
 * (the profile's defaults) and once with the CLI's own defaults (`toolset: cli-default`: the CLI's tool set and
 * every read-only MCP tool), and once more with `systemPrompt: triage` (the short system prompt). Tokens are counted on the prompt part of each request (system prompt, conversation,
 * tool schemas) with a real tokenizer: Anthropic's for Claude Code, o200k (js-tiktoken) for the others.
 * Last line: one JSON object.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens as countClaudeTokens } from '@anthropic-ai/tokenizer';
import { getEncoding } from 'js-tiktoken';
import type {
  AgentKind,
  AgentProfile,
  AgentSystemPrompt,
  AgentToolset,
} from '../../core/domain/agent-profile.ts';
import { kindDefaults } from '../../core/domain/agent-kinds.ts';
import { Secret } from '../../core/domain/secret.ts';
import { openStore } from '../../core/store/open-store.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { createFolderReportStore } from '../../runners/reports/folder-report-store.ts';
import { createTriageLauncher } from '../../runners/triage/triage-launcher.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { applyManifests, createNamespace, deleteNamespace, kubeClient } from '../harness/kube-helpers.ts';
import {
  startScriptedModelServer,
  type RecordedRequest,
} from '../harness/model-server/scripted-model-server.ts';
import { binaries } from '../harness/process.ts';
import { ensureKube } from '../harness/services/kube.ts';
import { createGhostPod, podStatus, setPodStatus } from '../intake/cluster-objects.ts';
import { crashingPod, triageScript } from '../runners/agent-clis/triage-scenario.ts';
import { withBenchDatabase } from './bench-database.ts';

type BuiltIn = Exclude<AgentKind, 'custom'>;
const kinds: readonly BuiltIn[] = ['claude-code', 'codex', 'gemini', 'goose'];
const only = process.env.BENCH_AGENTS?.split(',') as BuiltIn[] | undefined;
const baseUrls: Record<BuiltIn, (url: string) => string> = {
  'claude-code': (url) => url,
  codex: (url) => `${url}/v1`,
  gemini: (url) => url,
  goose: (url) => `${url}/v1`,
};

const o200k = getEncoding('o200k_base');
const tokens = (kind: BuiltIn, text: string) =>
  kind === 'claude-code' ? countClaudeTokens(text) : o200k.encode(text, 'all').length;

interface Figures {
  readonly ok: boolean;
  readonly requests: number;
  readonly first_request_tokens: number;
  readonly input_tokens: number;
  readonly tools: number;
  readonly tool_names: readonly string[];
  /** The skill is offered: named in the first request (a skill tool's description or the instructions). */
  readonly skill: boolean;
  /** The triage tools are offered: a shell and the MCP server's pods_get. */
  readonly triage_tools: boolean;
}

function figures(kind: BuiltIn, ok: boolean, requests: readonly RecordedRequest[]): Figures {
  const counted = requests.map((request) => tokens(kind, request.prompt));
  const withTools = requests.find((request) => request.tools.length > 0);
  return {
    ok,
    requests: requests.length,
    first_request_tokens: counted[0] ?? 0,
    input_tokens: counted.reduce((sum, n) => sum + n, 0),
    tools: withTools?.tools.length ?? 0,
    tool_names: withTools?.tools ?? [],
    skill: requests.some((request) => request.prompt.includes('kubernetes-triage')),
    triage_tools:
      (withTools?.tools ?? []).some((name) => name.endsWith('pods_get')) &&
      (withTools?.tools ?? []).some((name) =>
        ['Bash', 'exec_command', 'run_shell_command', 'shell'].includes(name),
      ),
  };
}

const kube = await ensureKube();
const client = kubeClient(kube.kubeconfigPath);
await applyManifests(client, [
  await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
]);
const namespace = await createNamespace(client, 'bench-agents');
const node = `ghost-${namespace}`;
await createGhostPod(client, namespace, crashingPod, {}, node);
await setPodStatus(
  client,
  namespace,
  crashingPod,
  podStatus.crashLooping(1, 'Error', 'panic: missing DATABASE_URL'),
);
const dir = await mkdtemp(join(tmpdir(), 'wk-bench-agents-'));

try {
  const results = await withBenchDatabase(async (url) => {
    const store = await openStore({ kind: 'postgres', url });
    const reports = createFolderReportStore({
      root: join(dir, 'reports'),
      baseUrl: () => 'http://127.0.0.1:1',
      signingKey: 'bench',
    });
    async function triage(
      kind: BuiltIn,
      toolset: AgentToolset,
      systemPrompt: AgentSystemPrompt = 'cli',
    ): Promise<Figures> {
      const model = await startScriptedModelServer(triageScript(namespace));
      try {
        const profile: AgentProfile = {
          name: kind,
          kind,
          command: binaries().agents[kind],
          args: [],
          env: {},
          skillsPath: kindDefaults[kind].skillsPath,
          model: 'scripted-model',
          apiKey: new Secret('bench-key'),
          baseUrl: baseUrls[kind](model.url),
          toolset,
          systemPrompt,
        };
        const launcher = createTriageLauncher({
          profiles: { [kind]: profile },
          workRoot: join(dir, 'runs'),
          store,
          reports,
          bus: createMemoryBus(),
          kube: {
            config: client.config,
            credentials: { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
          },
          logger: silentLogger,
          kubernetesMcpServer: binaries().kubernetesMcpServer,
        });
        const incident = makeIncident({
          cluster: 'harness',
          title: `${crashingPod} is crash-looping`,
          primaryResource: { apiVersion: 'v1', kind: 'Pod', namespace, name: crashingPod },
        });
        await store.incidents.create(incident);
        const run = makeRun(incident, { agent: kind, cluster: 'harness' });
        await store.runs.create(run);
        const result = await launcher.launch({
          run,
          incident,
          budget: { wallTimeMs: 180_000, maxTurns: 12 },
          signal: new AbortController().signal,
          onSandbox: () => Promise.resolve(),
        });
        return figures(kind, result.ok, model.requests);
      } finally {
        await model.close();
      }
    }

    const out: Record<string, unknown> = {};
    for (const kind of kinds.filter((k) => !only || only.includes(k))) {
      const lean = await triage(kind, 'triage');
      const prompt = await triage(kind, 'triage', 'triage');
      const baseline = await triage(kind, 'cli-default');
      const ratioOf = (f: Figures) =>
        Math.round((f.input_tokens / Math.max(1, baseline.input_tokens)) * 1000) / 1000;
      const ratio = ratioOf(lean);
      for (const [label, f] of [
        ['watchkeeper', lean],
        ['watchkeeper + systemPrompt: triage', prompt],
        ['cli-default', baseline],
      ] as const)
        console.log(
          `${kind} ${label}: ${f.ok ? 'triage completed' : 'TRIAGE FAILED'}, ${f.requests} requests, ` +
            `first ${f.first_request_tokens} tokens, all ${f.input_tokens} tokens (ratio ${ratioOf(f)}), ` +
            `skill ${f.skill ? 'offered' : 'MISSING'}, triage tools ${f.triage_tools ? 'offered' : 'MISSING'}, ` +
            `${f.tools} tools: ${f.tool_names.join(' ')}`,
        );
      out[kind.replace('-', '_')] = {
        input_tokens: lean.input_tokens,
        default_input_tokens: baseline.input_tokens,
        ratio,
        requests: lean.requests,
        tools: lean.tools,
        first_request_tokens: lean.first_request_tokens,
        default_first_request_tokens: baseline.first_request_tokens,
        default_requests: baseline.requests,
        default_tools: baseline.tools,
        completed: lean.ok && baseline.ok,
        skill: lean.skill,
        triage_tools: lean.triage_tools,
        system_prompt_triage_input_tokens: prompt.input_tokens,
        system_prompt_triage_ratio: ratioOf(prompt),
        system_prompt_triage_completed: prompt.ok && prompt.skill && prompt.triage_tools,
      };
    }
    await store.close();
    return out;
  });
  console.log(JSON.stringify({ bench: 'agents', ...results }));
} finally {
  await deleteNamespace(client, namespace);
  await client.core.deleteNode({ name: node }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
