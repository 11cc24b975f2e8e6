/**
 * Acceptance of issue 15 on the harness: each real agent CLI (Claude Code, Codex, Gemini CLI, Goose; scripted
 * model server) triages a crash-looping pod in a Kubernetes Job on the REAL node, in the agent image, through
 * Watchkeeper's own run pipeline: the CLI lists the pod with kubectl using the minted token, `kubectl delete`
 * is denied, progress arrives on NATS (operator mode, the run's own credential) while the pod still runs,
 * numbered without gaps, and the validated report, HTML, transcript and run metadata land in versitygw.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentKind } from '../../core/domain/agent-profile.ts';
import { kindDefaults } from '../../core/domain/agent-kinds.ts';
import { asIncidentId } from '../../core/domain/ids.ts';
import { foldReasonText } from '../../core/domain/incident.ts';
import { formatResource } from '../../core/domain/resource.ts';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import { Secret } from '../../core/domain/secret.ts';
import type { Bus } from '../../core/ports/bus.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createRunCredentialMinter } from '../../runners/bus/run-credentials.ts';
import { createJobLauncher } from '../../runners/job/job-launcher.ts';
import { jobName } from '../../runners/job/job-run-sandbox.ts';
import { createS3ReportStore } from '../../runners/reports/s3-report-store.ts';
import { makeFault, makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { applyManifests } from '../harness/kube-helpers.ts';
import { startScriptedModelServer } from '../harness/model-server/scripted-model-server.ts';
import { startOperatorNats, type OperatorNats } from '../harness/services/nats-operator.ts';
import { harness } from '../harness/use.ts';
import { createGhostPod, podStatus, setPodStatus, useTestNamespace } from '../intake/cluster-objects.ts';
import { crashingPod, rootCause, triageScript } from '../runners/agent-clis/triage-scenario.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { agentImageOf } from './real-node-job.ts';

type BuiltIn = Exclude<AgentKind, 'custom'>;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const baseUrls: Record<BuiltIn, (url: string) => string> = {
  'claude-code': (url) => url,
  codex: (url) => `${url}/v1`,
  gemini: (url) => url,
  goose: (url) => `${url}/v1`,
};

/** The CLIs' commands on the image's PATH (deploy/docker/agent-image.json `bin`). */
const commands: Record<BuiltIn, string> = {
  'claude-code': 'claude',
  codex: 'codex',
  gemini: 'gemini',
  goose: 'goose',
};

interface Arrival {
  readonly event: ProgressEvent;
  /** The phase of the run's pod when the event arrived (read right then). */
  readonly podPhase: string | undefined;
}

describe('built-in agent CLIs triage in a Job on the real node', () => {
  const space = useTestNamespace('jobs-agents');
  const node = harness('node');
  let nats: OperatorNats;
  let bus: Bus;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let reports: ReturnType<typeof createS3ReportStore>;

  beforeAll(async () => {
    await applyManifests(space.client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    await createGhostPod(space.client, space.name, crashingPod, {}, space.node);
    await setPodStatus(
      space.client,
      space.name,
      crashingPod,
      podStatus.crashLooping(1, 'Error', 'panic: missing DATABASE_URL'),
    );
    nats = await startOperatorNats();
    bus = await openNatsBus({ url: nats.url, creds: nats.setup.watchkeeperCreds, logger: silentLogger });
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    const s3 = harness('s3');
    reports = createS3ReportStore({
      bucket: s3.bucket,
      prefix: `jobs-agents-${randomUUID()}/`,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  }, 120_000);
  afterAll(async () => {
    reports.close();
    await bus.close();
    await nats.stop();
    await store.close();
    await database.drop();
  });

  it.each<BuiltIn>(['claude-code', 'codex', 'gemini', 'goose'])(
    '%s: kubectl with the minted token, delete denied, live progress from the pod, report in S3',
    async (kind) => {
      const model = await startScriptedModelServer(triageScript(space.name));
      const core = space.client.config.makeApiClient(CoreV1Api);
      try {
        const incident = makeIncident({
          cluster: 'harness',
          title: `${crashingPod} is crash-looping`,
          primaryResource: { apiVersion: 'v1', kind: 'Pod', namespace: space.name, name: crashingPod },
        });
        await store.incidents.create(incident);
        const fault = makeFault({
          cluster: 'harness',
          resource: {
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: space.name,
            name: crashingPod,
            uid: randomUUID(),
          },
        });
        await store.faults.record(fault);
        // A second fault folded in, named nowhere else (not in the cluster, the title or the model's script):
        // only the incident's fault list can put it in the prompt.
        const sibling = makeFault({
          cluster: 'harness',
          class: 'OOMKilled',
          resource: {
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: space.name,
            name: `${crashingPod}-worker-${randomUUID().slice(0, 8)}`,
            uid: randomUUID(),
          },
        });
        await store.faults.record(sibling);
        for (const [folded, reason] of [
          [fault, 'primary'],
          [sibling, 'same_owner_workload'],
        ] as const)
          await store.incidents.addMember({
            incidentId: asIncidentId(incident.id),
            cluster: 'harness',
            faultId: folded.faultId,
            reason,
            joinedAt: new Date(),
          });
        const run = makeRun(incident, { agent: kind, cluster: 'harness', runner: 'kubernetes-job' });
        await store.runs.create(run);

        const arrivals: Arrival[] = [];
        const listening = new AbortController();
        const received = (async () => {
          for await (const message of bus.subscribe(subjects.runProgress(run.id), {
            from: 'all',
            signal: listening.signal,
          })) {
            const pods = await core.listNamespacedPod({
              namespace: space.name,
              labelSelector: `job-name=${jobName(run.id)}`,
            });
            const event = message.data as ProgressEvent;
            arrivals.push({ event, podPhase: pods.items[0]?.status?.phase });
            if (event.type === 'run.finished') listening.abort();
          }
        })().catch(() => undefined);

        const launcher = createJobLauncher({
          profiles: {
            [kind]: {
              name: kind,
              kind,
              command: commands[kind],
              args: [],
              env: {},
              skillsPath: kindDefaults[kind].skillsPath,
              model: 'scripted-model',
              apiKey: new Secret('test-key'),
              price: { inputUsdPerMillion: 3, outputUsdPerMillion: 15 },
              baseUrl: baseUrls[kind](model.url),
              runner: 'kubernetes-job',
              image: agentImageOf(node),
            },
          },
          kube: {
            config: space.client.config,
            credentials: { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
          },
          namespace: space.name,
          store,
          reports,
          bus,
          logger: silentLogger,
          nats: {
            servers: [nats.url],
            mintRunNatsCredentials: createRunCredentialMinter({
              account: nats.setup.account.publicKey,
              signingKey: new Secret(nats.setup.accountSigningSeed),
              expiryMarginMs: 60_000,
            }),
          },
          nodeSelector: { [node.label.key]: node.label.value },
          tolerations: [
            { key: node.taint.key, operator: 'Equal', value: node.taint.value, effect: node.taint.effect },
          ],
          hostNetwork: true,
        });
        const result = await launcher.launch({
          run,
          incident,
          budget: { wallTimeMs: 150_000, maxTurns: 12 },
          signal: new AbortController().signal,
          onSandbox: () => Promise.resolve(),
        });
        setTimeout(() => listening.abort(), 10_000);
        await received;
        const events = arrivals.map((a) => a.event);
        const trail = events.map((e) => `${e.seq} ${e.type} ${JSON.stringify(e).slice(0, 160)}`).join('\n');
        if (!result.ok) {
          // What the pod said, to tell a broken image or runner from a broken pipeline.
          const pods = await core.listNamespacedPod({
            namespace: space.name,
            labelSelector: `job-name=${jobName(run.id)}`,
          });
          const pod = pods.items[0]?.metadata?.name;
          const log = pod
            ? await core.readNamespacedPodLog({ name: pod, namespace: space.name }).catch(String)
            : 'no pod';
          expect.fail(`${JSON.stringify(result.failure)}\n${trail}\npod log:\n${log.slice(-4_000)}`);
        }

        // Numbered without gaps, from started to finished; the first ones arrived while the pod still ran.
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(events[0]).toMatchObject({ type: 'run.started', agent: kind });
        expect(events.at(-1), trail).toMatchObject({ type: 'run.finished', ok: true });
        expect(arrivals.filter((a) => a.podPhase === 'Running').length, trail).toBeGreaterThan(1);

        // kubectl in the pod, with the minted token, saw the crash-looping pod; the delete was denied.
        const calls = events.flatMap((e) => (e.type === 'tool.called' ? [e] : []));
        const getPods = calls.find((call) => call.summary.includes('kubectl get pods'));
        expect(getPods, trail).toBeDefined();
        expect(
          events.find((e) => e.type === 'tool.result' && e.callId === getPods?.callId),
          trail,
        ).toMatchObject({ ok: true });
        // The prompt the CLI in the pod sent to the model lists the incident's faults and why each was folded,
        // on one line of the prompt (JSON text: a line ends at an escaped newline, hence no backslash between).
        const prompts = model.requests.map((request) => request.prompt).join('\n');
        for (const [folded, because] of [
          [fault, foldReasonText.primary],
          [sibling, foldReasonText.same_owner_workload],
        ] as const)
          expect(prompts, `fault ${folded.resource.name} in the prompt`).toMatch(
            new RegExp(
              `${folded.class} on \`${escapeRegExp(formatResource(folded.resource))}\`[^\\\\]*${escapeRegExp(because)}`,
            ),
          );
        const answers = model.requests.flatMap((request) => request.toolResults).join('\n');
        expect(answers).toMatch(new RegExp(`${crashingPod}.*CrashLoopBackOff`));
        expect(
          events.find((e) => e.type === 'tool.denied'),
          trail,
        ).toMatchObject({
          reason: expect.stringMatching(/kubectl delete/) as string,
        });
        await expect(
          core.readNamespacedPod({ namespace: space.name, name: crashingPod }),
        ).resolves.toBeDefined();

        // The validated report, HTML, transcript and run metadata are in versitygw; the card has a cost.
        const report = await store.reports.getByRun(run.id);
        expect(report?.card).toMatchObject({ rootCause, severity: 'high', confidence: 'medium' });
        const read = async (key: string) =>
          Buffer.from((await reports.get(key))?.body ?? []).toString('utf8');
        expect(await read(report?.artifacts.markdownKey ?? '')).toContain('## Proof of work');
        expect(await read(report?.artifacts.htmlKey ?? '')).toContain('<h2>Triage card</h2>');
        expect(await read(report?.artifacts.transcriptKey ?? '')).not.toContain('test-key');
        const metadata = JSON.parse(await read(report?.artifacts.metadataKey ?? '')) as Record<
          string,
          unknown
        >;
        expect(metadata).toMatchObject({ agent: kind, model: 'scripted-model' });
        // The run's usage, priced: what the card reports (the scheduler stores it with the verdict).
        expect(result.usage?.inputTokens, JSON.stringify(result)).toBeGreaterThan(0);
        expect(result.usage?.costUsd, JSON.stringify(result)).toBeGreaterThan(0);
        const finished = events.at(-1);
        expect(finished?.type === 'run.finished' && finished.usage?.costUsd).toBeGreaterThan(0);
      } finally {
        await model.close();
      }
    },
    240_000,
  );
});
