/**
 * A Job run end to end with the real in-pod runner: Watchkeeper's Job sandbox writes the PodRunSpec and the Secret,
 * the bundled runner (runners/pod/dist/pod-runner.mjs) reads them exactly as mounted, runs the agent, publishes
 * its progress with the run's own NATS credential on a nats-server in operator mode, and uploads through the
 * presigned URLs; Watchkeeper follows it from JetStream and keeps the validated report. kwok runs no container, so
 * the runner runs here as a plain process and the test reports its exit on the pod, as a kubelet would.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import { asIncidentId } from '../../core/domain/ids.ts';
import { foldReasonText } from '../../core/domain/incident.ts';
import type { SandboxRef } from '../../core/domain/run.ts';
import { Secret } from '../../core/domain/secret.ts';
import type { Bus } from '../../core/ports/bus.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createRunCredentialMinter } from '../../runners/bus/run-credentials.ts';
import { jobRunSandboxes } from '../../runners/job/job-run-sandbox.ts';
import { createS3ReportStore, type S3ReportStore } from '../../runners/reports/s3-report-store.ts';
import { runTriage } from '../../runners/triage/run-triage.ts';
import { makeFault, makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { startOperatorNats, type OperatorNats } from '../harness/services/nats-operator.ts';
import { harness } from '../harness/use.ts';
import { setPodStatus, useTestNamespace } from '../intake/cluster-objects.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { validReportFile } from './sandbox-contract.ts';

const bundle = fileURLToPath(new URL('../../runners/pod/dist/pod-runner.mjs', import.meta.url));
const agent = fileURLToPath(new URL('agents/contract-agent.mjs', import.meta.url));

describe('a Job run with the real in-pod runner, its own NATS credential and presigned uploads', () => {
  const space = useTestNamespace('job-pod');
  let nats: OperatorNats;
  let bus: Bus;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let reports: S3ReportStore;
  let dir: string;

  beforeAll(async () => {
    nats = await startOperatorNats();
    bus = await openNatsBus({ url: nats.url, creds: nats.setup.watchkeeperCreds });
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    const s3 = harness('s3');
    reports = createS3ReportStore({
      bucket: s3.bucket,
      prefix: `job-pod-${randomUUID()}/`,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    dir = await mkdtemp(join(tmpdir(), 'wk-job-pod-'));
  }, 60_000);
  afterAll(async () => {
    reports.close();
    await bus.close();
    await store.close();
    await database.drop();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prompts with the faults, streams progress while the pod runs, and keeps the uploaded report', async () => {
    const profile: AgentProfile = {
      name: 'scripted',
      kind: 'custom',
      command: process.execPath,
      args: [agent, 'slow-report', '{promptFile}', '{reportFile}', fileURLToPath(validReportFile)],
      env: {},
      secretEnv: { SHOP_TOKEN: new Secret('shop-token-value-1234567890') },
      skillsPath: '.skills',
      runner: 'kubernetes-job',
      image: 'ghcr.io/watchkeeper/agent:test',
    };
    const sandboxes = jobRunSandboxes({
      profiles: { scripted: profile },
      kubeconfig: space.client.config,
      namespace: space.name,
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
      nodeSelector: { 'watchkeeper.test/none': 'true' }, // pending: the runner below plays its container
    });
    const incident = makeIncident({ title: 'checkout is crash-looping' });
    await store.incidents.create(incident);
    for (const [name, reason] of [
      ['checkout-7d9f', 'primary'],
      ['checkout-8a1c', 'same_owner_workload'],
    ] as const) {
      const fault = makeFault({
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name, uid: randomUUID() },
      });
      await store.faults.record(fault);
      await store.incidents.addMember({
        incidentId: asIncidentId(incident.id),
        cluster: fault.cluster,
        faultId: fault.faultId,
        reason,
        joinedAt: new Date(),
      });
    }
    const run = makeRun(incident, { agent: 'scripted', runner: 'kubernetes-job' });
    await store.runs.create(run);
    let ref: Extract<SandboxRef, { kind: 'kubernetes-job' }> | undefined;
    const pipeline = runTriage(
      { profiles: { scripted: profile }, store, reports, bus, logger: silentLogger, sandboxes },
      {
        run,
        incident,
        budget: { wallTimeMs: 120_000, maxTurns: 10 },
        signal: new AbortController().signal,
        onSandbox: (sandbox) => {
          if (sandbox.kind === 'kubernetes-job') ref = sandbox;
          return Promise.resolve();
        },
      },
    );
    const pod = await waitForPod(() => ref?.name);
    const name = ref?.name ?? '';

    // Mount what the Job mounts: the ConfigMap's spec and the Secret's files.
    const configMap = await space.client.core.readNamespacedConfigMap({ name, namespace: space.name });
    const secret = await space.client.core.readNamespacedSecret({ name, namespace: space.name });
    const specFile = join(dir, 'spec', 'pod-run-spec.json');
    const secrets = join(dir, 'secrets');
    await mkdir(join(dir, 'spec'), { recursive: true });
    await mkdir(secrets, { recursive: true });
    await writeFile(specFile, configMap.data?.['pod-run-spec.json'] ?? '');
    for (const [file, value] of Object.entries(secret.data ?? {}))
      await writeFile(join(secrets, file), Buffer.from(value, 'base64'));
    const workspace = join(dir, 'workspace');
    await mkdir(workspace);
    const child = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: workspace,
        WATCHKEEPER_POD_SPEC: specFile,
        WATCHKEEPER_POD_SECRETS: secrets,
        WATCHKEEPER_POD_WORKSPACE: workspace,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let exitedYet = false;
    void exited.then(() => (exitedYet = true));

    // The agent is still working (it writes its report after 2.5 s) when its progress is already stored.
    const live = Date.now();
    while (Date.now() - live < 20_000) {
      const stored = await store.progress.list(run.id);
      if (stored.some((e) => e.type === 'tool.called')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const whileRunning = await store.progress.list(run.id);
    expect(exitedYet, `the runner is still running (stderr: ${stderr})`).toBe(false);
    expect(whileRunning.map((e) => e.type)).toContain('tool.called');

    expect(await exited, `the runner's exit (stderr: ${stderr})`).toBe(0);
    await setPodStatus(space.client, space.name, pod, {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'agent',
          image: profile.image ?? '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    });
    const result = await pipeline;
    expect(result, stderr).toMatchObject({ ok: true });

    const prompt = await readFile(join(workspace, run.id, 'prompt.md'), 'utf8');
    expect(prompt).toContain('checkout-8a1c');
    expect(prompt).toContain(foldReasonText.same_owner_workload);
    const stored = await store.progress.list(run.id);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored[0]).toMatchObject({ type: 'run.started', agent: 'scripted' });
    expect(stored.at(-1)).toMatchObject({ type: 'run.finished', ok: true });
    const report = await store.reports.getByRun(run.id);
    expect(report?.card.rootCause).toBe('the image tag does not exist');
    const runJson = JSON.parse(
      Buffer.from((await reports.get(report?.artifacts.metadataKey ?? ''))?.body ?? []).toString(),
    ) as Record<string, unknown>;
    expect(runJson).toMatchObject({ runId: run.id, progress: { via: 'nats' } });
    expect(JSON.stringify(runJson)).not.toContain('shop-token-value');
  }, 90_000);

  async function waitForPod(name: () => string | undefined): Promise<string> {
    for (let i = 0; i < 200; i += 1) {
      const job = name();
      if (job) {
        const pods = await space.client.core.listNamespacedPod({
          namespace: space.name,
          labelSelector: `job-name=${job}`,
        });
        const pod = pods.items[0]?.metadata?.name;
        if (pod) return pod;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the Job made no pod within 20 s');
  }
});
