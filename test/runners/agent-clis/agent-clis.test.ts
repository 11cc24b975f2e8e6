/**
 * Each built-in agent CLI — the real Claude Code, Codex, Gemini CLI and Goose from npm — triages a crash-looping
 * pod on the harness cluster, driven by the scripted model server: kubectl and the Kubernetes MCP server really
 * run against the kube-apiserver with the run's minted token, the deny policy stops `kubectl delete`, progress
 * arrives on NATS in order, and the validated report lands in the S3 server.
 */
import { describe, expect, it } from 'vitest';
import type { AgentKind } from '../../../core/domain/agent-profile.ts';
import { kindDefaults } from '../../../core/domain/agent-kinds.ts';
import type { ProgressEvent } from '../../../core/domain/progress.ts';
import { binaries } from '../../harness/process.ts';
import { useAgentRunFixture } from './agent-run-fixture.ts';
import { crashingPod, rootCause, triageScript } from './triage-scenario.ts';
import { Secret } from '../../../core/domain/secret.ts';

type BuiltIn = Exclude<AgentKind, 'custom'>;

/** How each vendor's SDK wants the base URL (Anthropic and Gemini: the host; OpenAI-style: with /v1). */
const baseUrls: Record<BuiltIn, (url: string) => string> = {
  'claude-code': (url) => url,
  codex: (url) => `${url}/v1`,
  gemini: (url) => url,
  goose: (url) => `${url}/v1`,
};

/** Who denied: the CLI's own pre-tool hook (named after the CLI's shell tool), or the kubectl guard for Goose. */
const deniedBy: Record<BuiltIn, string> = {
  'claude-code': 'Bash',
  codex: 'Bash',
  gemini: 'run_shell_command',
  goose: 'kubectl',
};

function calls(events: readonly ProgressEvent[]) {
  return events.flatMap((event) => (event.type === 'tool.called' ? [event] : []));
}
function resultOf(events: readonly ProgressEvent[], callId: string) {
  return events.find((event) => event.type === 'tool.result' && event.callId === callId);
}

describe('built-in agent CLIs triage a crash-looping pod', () => {
  const { space, fixture, triage } = useAgentRunFixture('agent-clis');

  it.each<BuiltIn>(['claude-code', 'codex', 'gemini', 'goose'])(
    '%s: real tools, denied delete, ordered progress on NATS, report in S3',
    async (kind) => {
      const run = await triage(
        {
          name: kind,
          kind,
          command: binaries().agents[kind],
          args: [],
          env: {},
          skillsPath: kindDefaults[kind].skillsPath,
          model: 'scripted-model',
          apiKey: new Secret('test-key'),
          price: { inputUsdPerMillion: 3, outputUsdPerMillion: 15 },
        },
        triageScript(space.name),
        baseUrls[kind],
      );
      const { events } = run;
      const trail = events.map((e) => `${e.seq} ${e.type} ${JSON.stringify(e).slice(0, 160)}`).join('\n');
      expect(run.result, trail).toMatchObject({ ok: true });

      // In order, numbered without gaps, from started to finished.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]).toMatchObject({ type: 'run.started', agent: kind, model: 'scripted-model' });
      const finished = events.at(-1);
      expect(finished, trail).toMatchObject({ type: 'run.finished', ok: true });
      expect(finished?.type === 'run.finished' && finished.usage?.inputTokens).toBeGreaterThan(0);
      expect(finished?.type === 'run.finished' && finished.usage?.costUsd).toBeGreaterThan(0);

      // kubectl ran with the minted token and saw the crash-looping pod.
      const getPods = calls(events).find((call) => call.summary.includes('kubectl get pods'));
      expect(getPods, trail).toBeDefined();
      expect(resultOf(events, getPods?.callId ?? ''), trail).toMatchObject({ ok: true });
      const answers = run.model.requests.flatMap((request) => request.toolResults).join('\n');
      expect(answers).toMatch(new RegExp(`${crashingPod}.*CrashLoopBackOff`));

      // The Kubernetes MCP server read the pod, its last exit included.
      const mcpCall = calls(events).find((call) => call.tool.includes('pods_get'));
      expect(mcpCall, trail).toBeDefined();
      expect(resultOf(events, mcpCall?.callId ?? ''), trail).toMatchObject({ ok: true });
      expect(answers).toContain('panic: missing DATABASE_URL');

      // The deny policy stopped the delete, said so in the progress, and the pod is still there.
      const denial = events.find((event) => event.type === 'tool.denied');
      expect(denial, trail).toMatchObject({
        tool: deniedBy[kind],
        reason: expect.stringMatching(/kubectl delete/) as string,
      });
      expect(answers).toMatch(/deny policy/);
      // Told in the order it happened: after the MCP step it followed, after the delete call where the CLI shows it.
      const mcpResult = resultOf(events, mcpCall?.callId ?? '');
      expect(denial?.seq, trail).toBeGreaterThan(mcpResult?.seq ?? Infinity);
      const deleteCall = calls(events).find((call) => call.summary.includes('kubectl delete'));
      if (deleteCall) expect(denial?.seq, trail).toBeGreaterThan(deleteCall.seq);
      if (kind !== 'codex') expect(deleteCall, 'the CLI shows the denied call').toBeDefined();
      await expect(
        space.client.core.readNamespacedPod({ namespace: space.name, name: crashingPod }),
      ).resolves.toBeDefined();

      expect(events.some((event) => event.type === 'assistant.message')).toBe(true);

      // The validated report and the run's metadata are in the S3 server.
      const report = await fixture.store.reports.getByRun(run.runId);
      expect(report?.card).toMatchObject({ rootCause, severity: 'high', confidence: 'medium' });
      expect(await run.read(report?.artifacts.markdownKey ?? '')).toContain('## Proof of work');
      expect(await run.read(report?.artifacts.htmlKey ?? '')).toContain('<h2>Triage card</h2>');
      const metadata = JSON.parse(await run.read(report?.artifacts.metadataKey ?? '')) as Record<
        string,
        unknown
      >;
      expect(metadata).toMatchObject({ agent: kind, kind, model: 'scripted-model' });
      expect(metadata.actions).toHaveLength(1);
      const transcript = await run.read(report?.artifacts.transcriptKey ?? '');
      expect(transcript).not.toContain('test-key');
    },
    120_000,
  );
});
