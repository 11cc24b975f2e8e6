import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { ProgressDraft } from '../../runners/progress/progress-publisher.ts';
import type { SandboxRef, TriageRun } from '../../core/domain/run.ts';
import { Secret } from '../../core/domain/secret.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { readRunJob } from '../../runners/job/job-sandbox.ts';
import { jobRunSandboxes, uploadKeys, type JobRunSandboxOptions } from '../../runners/job/job-run-sandbox.ts';
import { podRunnerExitCodes, PodRunSpecSchema } from '../../runners/pod/pod-run-spec.ts';
import type { SandboxProvider } from '../../runners/sandbox/sandbox.ts';
import { reattachTriage, runTriage } from '../../runners/triage/run-triage.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { until } from '../fixtures/until.ts';
import { setPodStatus, useTestNamespace } from '../intake/cluster-objects.ts';
import { sandboxContract, useContractEnv, validReport, type AgentMode } from './sandbox-contract.ts';

/**
 * On kwok nodes a pod never executes: its Job completes at once, so what the in-pod runner would do (upload the
 * report, publish progress on NATS) the driver does before the run; a pod that must keep "working" is pinned to
 * no node. The real-node execution is covered by test/jobs.
 */
describe('the Kubernetes Job sandbox keeps the sandbox contract (harness cluster on kwok, real NATS and S3)', () => {
  const space = useTestNamespace('job-contract');
  const env = useContractEnv('job-contract');
  const minted: string[] = [];

  const profile = (mode: AgentMode): AgentProfile => ({
    name: `job-${mode}`,
    kind: 'claude-code',
    command: 'claude',
    args: [],
    env: { DISABLE_TELEMETRY: '1' },
    secretEnv: { GITHUB_TOKEN: new Secret('ghp_contractcontractcontractcontract0001') },
    apiKey: new Secret('sk-ant-api03-contract'),
    skillsPath: '.claude/skills',
    runner: 'kubernetes-job',
    image: 'ghcr.io/watchkeeper/agent:contract',
  });
  const profiles = Object.fromEntries(
    (['report', 'silent', 'hang'] as const).map((mode) => [profile(mode).name, profile(mode)]),
  );

  function provider(): SandboxProvider {
    const options = (pinned: boolean): JobRunSandboxOptions => ({
      profiles,
      kubeconfig: space.client.config,
      namespace: space.name,
      reports: env.reports,
      bus: env.bus,
      logger: silentLogger,
      drainMs: 1_000,
      nats: {
        servers: ['nats://127.0.0.1:4222'],
        mintRunNatsCredentials: ({ runId }) => {
          minted.push(runId);
          return Promise.resolve(
            `-----BEGIN NATS USER JWT-----\nfor-${runId}\n------END NATS USER JWT------\n`,
          );
        },
      },
      ...(pinned && { nodeSelector: { 'watchkeeper.test/none': 'true' } }),
    });
    const working = jobRunSandboxes(options(false));
    const hanging = jobRunSandboxes(options(true));
    return {
      runner: 'kubernetes-job',
      create: (input) => (input.profile.name === 'job-hang' ? hanging : working).create(input),
      attach: (run, progress) => (run.agent === 'job-hang' ? hanging : working).attach(run, progress),
    };
  }

  /** What the in-pod runner publishes on NATS and uploads at the end. */
  async function actAsPod(run: TriageRun, mode: AgentMode, events = 3): Promise<void> {
    const now = new Date();
    const drafts: ProgressDraft[] = [
      { type: 'run.started', agent: run.agent },
      { type: 'tool.called', callId: 'c1', tool: 'Bash', summary: 'kubectl get pods -n shop' },
      { type: 'tool.result', callId: 'c1', ok: true, excerpt: 'checkout-7d9f 0/1 CrashLoopBackOff' },
      { type: 'tool.denied', tool: 'Bash', reason: 'kubectl delete is not allowed' },
    ];
    for (const [i, draft] of drafts.slice(0, events).entries())
      await env.bus.publish(
        subjects.runProgress(run.id),
        { ...draft, runId: run.id, seq: i + 1, at: now },
        { msgId: `${run.id}:${i + 1}` },
      );
    if (mode === 'hang') return;
    const keys = uploadKeys(run.incidentId, run.id);
    if (mode === 'report') await env.reports.put(keys.report, await validReport(), 'text/markdown');
    await env.reports.put(keys.transcript, 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz', 'text/plain');
    await env.reports.put(
      keys.runJson,
      JSON.stringify({
        runId: run.id,
        agent: run.agent,
        kind: 'claude-code',
        model: 'claude-sonnet-4-5',
        cliVersion: '2.0.1',
        usage: { inputTokens: 1200, outputTokens: 300, costUsd: 0.0123 },
        exitCode: mode === 'report' ? 0 : 1,
        outcome: mode === 'report' ? 'succeeded' : 'failed',
        progress: { via: 'nats', events },
        startedAt: now,
        finishedAt: now,
      }),
      'application/json',
    );
  }

  const specOf = async (ref: SandboxRef) => {
    const name = ref.kind === 'kubernetes-job' ? ref.name : '';
    const configMap = await space.client.core.readNamespacedConfigMap({ name, namespace: space.name });
    return configMap.data?.['pod-run-spec.json'] ?? '';
  };

  sandboxContract(env, () => ({
    provider: provider(),
    profile,
    beforeRun: (run, _incident, mode) => actAsPod(run, mode),
    inputsOf: (_run, ref) => specOf(ref),
    isRunning: async (ref) =>
      ref.kind === 'kubernetes-job' &&
      (await readRunJob(space.client.config, { namespace: ref.namespace, name: ref.name })) !== undefined,
    followsAfterRestart: true,
  }));

  async function launch(mode: AgentMode, signal = new AbortController().signal) {
    const incident = makeIncident();
    await env.store.incidents.create(incident);
    const run = makeRun(incident, { agent: `job-${mode}`, runner: 'kubernetes-job' });
    await env.store.runs.create(run);
    let ref: SandboxRef | undefined;
    const deps = { profiles, store: env.store, reports: env.reports, bus: env.bus, logger: silentLogger };
    return {
      run,
      deps: { ...deps, sandboxes: provider() },
      ref: () => ref as Extract<SandboxRef, { kind: 'kubernetes-job' }>,
      result: (before: (run: TriageRun) => Promise<void> = () => Promise.resolve()) =>
        before(run).then(() =>
          runTriage(
            { ...deps, sandboxes: provider() },
            {
              run,
              incident,
              budget: { wallTimeMs: 120_000, maxTurns: 10 },
              signal,
              onSandbox: (sandbox) => {
                ref = sandbox;
                return Promise.resolve();
              },
            },
          ),
        ),
    };
  }

  it('hands the pod a valid PodRunSpec and its secrets as files only, with a NATS credential for this run', async () => {
    const job = await launch('report');
    const result = await job.result((run) => actAsPod(run, 'report'));
    expect(result).toMatchObject({ ok: true, usage: { inputTokens: 1200, costUsd: 0.0123 } });
    const { name, namespace } = job.ref();
    const spec = PodRunSpecSchema.parse(JSON.parse(await specOf(job.ref())));
    expect(spec).toMatchObject({
      run: { id: job.run.id },
      profile: { kind: 'claude-code', secretEnvNames: ['GITHUB_TOKEN'], hasApiKey: true },
      progress: { subject: subjects.runProgress(job.run.id), servers: ['nats://127.0.0.1:4222'] },
    });
    const specText = await specOf(job.ref());
    for (const secret of ['ghp_contract', 'sk-ant-api03'])
      expect(specText, 'no secret value in the ConfigMap').not.toContain(secret);
    const secret = await space.client.core.readNamespacedSecret({ name, namespace });
    const files = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(Object.keys(files).sort()).toEqual(['api-key', 'env-GITHUB_TOKEN', 'nats.creds', 'uploads.json']);
    expect(files['nats.creds']).toContain(`for-${job.run.id}`);
    expect(minted).toContain(job.run.id);
    expect(JSON.parse(files['uploads.json'] ?? '{}')).toMatchObject({
      report: expect.stringMatching(/X-Amz-Signature=/) as string,
      runJson: expect.stringMatching(/upload\/run\.json/) as string,
    });
    const container = (await space.client.batch.readNamespacedJob({ name, namespace })).spec?.template.spec
      ?.containers[0];
    expect(container?.envFrom).toBeUndefined();
    expect(JSON.stringify(container?.env)).not.toContain('sk-ant');
    // The progress the pod published on NATS is stored once each, and Watchkeeper added no second ending.
    const stored = await env.store.progress.list(job.run.id);
    expect(stored.map((e) => `${e.seq}:${e.type}`)).toEqual([
      '1:run.started',
      '2:tool.called',
      '3:tool.result',
      '4:run.finished',
    ]);
    const kept = await env.store.reports.getByRun(job.run.id);
    const transcript = await env.reports.get(kept?.artifacts.transcriptKey ?? '');
    expect(Buffer.from(transcript?.body ?? []).toString()).toContain('Bearer [REDACTED]');
    // The raw uploads are emptied once kept redacted.
    const raw = await env.reports.get(uploadKeys(job.run.incidentId, job.run.id).transcript);
    expect(Buffer.from(raw?.body ?? []).toString()).toBe('');
  });

  it('ends a run whose image cannot be pulled at once, naming the image', async () => {
    const job = await launch('hang');
    const result = job.result();
    const pod = await waitForPod(() => job.ref());
    await setPodStatus(space.client, space.name, pod, {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'agent',
          image: 'ghcr.io/watchkeeper/agent:contract',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'manifest unknown' } },
        },
      ],
    });
    expect(await result).toMatchObject({
      ok: false,
      failure: {
        reason: 'sandbox_error',
        detail: expect.stringMatching(
          /agent image "ghcr.io\/watchkeeper\/agent:contract" cannot be pulled \(ImagePullBackOff: manifest unknown\)/,
        ) as string,
      },
    });
    // Foreground deletion: the Job goes once the garbage collector has removed its pod.
    await until(
      'the Job is deleted',
      async () => (await readRunJob(space.client.config, job.ref())) === undefined,
      10_000,
    );
  });

  it('says the image has no agent CLI when the runner exits with its code for it', async () => {
    const job = await launch('hang');
    const result = job.result();
    const pod = await waitForPod(() => job.ref());
    await setPodStatus(space.client, space.name, pod, {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'agent',
          image: 'ghcr.io/watchkeeper/agent:contract',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode: podRunnerExitCodes.cliMissing,
              message: 'watchkeeper-pod-runner: claude is not on PATH (/usr/local/bin:/usr/bin)',
            },
          },
        },
      ],
    });
    expect(await result).toMatchObject({
      ok: false,
      failure: {
        reason: 'sandbox_error',
        detail: expect.stringMatching(/has no "claude" CLI \(claude is not on PATH/) as string,
      },
    });
  });

  it('re-attaches after a restart: resumes after the last stored event, and its abort signal deletes the Job', async () => {
    const incident = makeIncident();
    await env.store.incidents.create(incident);
    const run = makeRun(incident, { agent: 'job-hang', runner: 'kubernetes-job' });
    await env.store.runs.create(run);
    await actAsPod(run, 'hang', 4);
    // The first Watchkeeper stored the pod's first two events, then died once the Job existed.
    const deps = { profiles, store: env.store, reports: env.reports, bus: env.bus, logger: silentLogger };
    let ref: SandboxRef | undefined;
    await new Promise<void>((resolve) => {
      void runTriage(
        { ...deps, sandboxes: provider() },
        {
          run,
          incident,
          budget: { wallTimeMs: 120_000, maxTurns: 10 },
          signal: new AbortController().signal,
          onSandbox: (sandbox) => {
            ref = sandbox;
            resolve();
            return new Promise(() => undefined);
          },
        },
      );
    });
    const at = new Date();
    await env.store.progress.append({ type: 'run.started', agent: 'job-hang', runId: run.id, seq: 1, at });
    await env.store.progress.append({
      type: 'tool.called',
      callId: 'c1',
      tool: 'Bash',
      summary: 'stored by the first Watchkeeper',
      runId: run.id,
      seq: 2,
      at,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_500);
    const jobRef = ref as Extract<SandboxRef, { kind: 'kubernetes-job' }>;
    const result = await reattachTriage(
      { ...deps, sandboxes: provider() },
      { ...run, sandbox: jobRef },
      controller.signal,
    );
    expect(result).toMatchObject({ ok: false, failure: { reason: 'cancelled' } });
    const stoppedAt = Date.now();
    while ((await readRunJob(space.client.config, jobRef)) && Date.now() - stoppedAt < 2_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readRunJob(space.client.config, jobRef), 'the Job is gone within 2 s').toBeUndefined();
    const stored = await env.store.progress.list(run.id);
    expect(stored.map((e) => `${e.seq}:${e.type}`)).toEqual([
      '1:run.started',
      '2:tool.called',
      '3:tool.result',
      '4:tool.denied',
      '5:error',
      '6:run.finished',
    ]);
    expect(stored[1]).toMatchObject({ summary: 'stored by the first Watchkeeper' });
  });

  async function waitForPod(ref: () => { name: string } | undefined): Promise<string> {
    for (let i = 0; i < 100; i += 1) {
      const name = ref()?.name;
      if (name) {
        const pods = await space.client.core.listNamespacedPod({
          namespace: space.name,
          labelSelector: `job-name=${name}`,
        });
        const pod = pods.items[0]?.metadata?.name;
        if (pod) return pod;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the Job made no pod within 10 s');
  }
});
