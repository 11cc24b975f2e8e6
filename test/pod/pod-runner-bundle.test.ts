/**
 * The bundled in-pod runner (runners/pod/dist/pod-runner.mjs), run as a plain local process the way the agent
 * image runs it, with a scripted custom agent: its progress reaches a REAL nats-server in operator mode with the
 * run's own credential WHILE the agent still works, numbered without gaps and redacted; the report, transcript
 * and run.json land in versitygw through presigned URLs; and each way it can fail gives its documented exit code
 * with a one-line reason.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import { redact } from '../../core/domain/redact.ts';
import { runArtifactPrefix } from '../../core/domain/report.ts';
import { Secret } from '../../core/domain/secret.ts';
import type { Bus } from '../../core/ports/bus.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createRunCredentialMinter, type MintRunNatsCredentials } from '../../runners/bus/run-credentials.ts';
import {
  buildPodRunSpec,
  podFailurePrefix,
  podRunnerExitCodes,
  podSecretFiles,
  podUploadContentTypes,
  PodRunResultSchema,
} from '../../runners/pod/pod-run-spec.ts';
import { createS3ReportStore, type S3ReportStore } from '../../runners/reports/s3-report-store.ts';
import { makeFault, makeIncident, makeRun } from '../fixtures/domain.ts';
import { until } from '../fixtures/until.ts';
import { startOperatorNats, type OperatorNats } from '../harness/services/nats-operator.ts';
import { harness } from '../harness/use.ts';
import { bundlePodRunner, podRunnerBundle } from './bundle-pod-runner.ts';

const agentScript = fileURLToPath(new URL('agents/scripted-pod-agent.mjs', import.meta.url));
const validReport = fileURLToPath(new URL('../runners/fixtures/valid-report.md', import.meta.url));
// A GitHub token: the redactor's rules know its shape, so it must never leave the pod in clear.
const leakedKey = 'ghp_Zk3xW9qL2mN8vB4cT7yR1pD6sF0hJ5gA2eUo';

let nats: OperatorNats;
let bus: Bus;
let store: S3ReportStore;
let mint: MintRunNatsCredentials;
let scratch: string;

beforeAll(async () => {
  nats = await startOperatorNats();
  bus = await openNatsBus({ url: nats.url, creds: nats.setup.watchkeeperCreds });
  const s3 = harness('s3');
  store = createS3ReportStore({
    bucket: s3.bucket,
    prefix: `pod-runner-${randomUUID()}/`,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  mint = createRunCredentialMinter({
    account: nats.setup.account.publicKey,
    signingKey: new Secret(nats.setup.accountSigningSeed),
    expiryMarginMs: 60_000,
  });
  scratch = await mkdtemp(join(tmpdir(), 'wk-pod-runner-'));
}, 60_000);

afterAll(async () => {
  await bus.close();
  await nats.stop();
  store.close();
  await rm(scratch, { recursive: true, force: true });
});

interface PodRun {
  readonly runId: string;
  readonly prefix: string;
  readonly workspace: string;
  readonly env: Record<string, string>;
  readonly secrets: string;
  readonly specFile: string;
}

/** What Watchkeeper's Job sandbox would mount: the spec (ConfigMap) and the secret files (Secret). */
async function preparePod(
  options: {
    natsServers?: readonly string[];
    profile?: Partial<AgentProfile>;
    withCreds?: boolean;
  } = {},
): Promise<PodRun> {
  const incident = makeIncident({ faultCount: 1 });
  const run = makeRun(incident, { agent: 'scripted', runner: 'kubernetes-job', status: 'starting' });
  const fault = makeFault();
  const profile: AgentProfile = {
    name: 'scripted',
    kind: 'custom',
    command: process.execPath,
    args: [agentScript, '{reportFile}', validReport],
    env: {},
    secretEnv: { POD_TEST_SECRET: new Secret(leakedKey) },
    skillsPath: '.skills',
    ...options.profile,
  };
  const dir = join(scratch, run.id);
  const secrets = join(dir, 'secrets');
  const workspaceRoot = join(dir, 'workspace');
  await mkdir(secrets, { recursive: true });
  await mkdir(workspaceRoot, { recursive: true });
  const spec = buildPodRunSpec({
    run,
    incident,
    faults: [
      {
        member: {
          incidentId: incident.id,
          cluster: fault.cluster,
          faultId: fault.faultId,
          reason: 'primary',
          joinedAt: new Date(),
        },
        fault,
      },
    ],
    budget: { wallTimeMs: 120_000, maxTurns: 10 },
    profile,
    ...(options.natsServers && { natsServers: options.natsServers }),
  });
  const specFile = join(dir, 'pod-run-spec.json');
  await writeFile(specFile, JSON.stringify(spec));
  await writeFile(join(secrets, `${podSecretFiles.secretEnvPrefix}POD_TEST_SECRET`), leakedKey);
  if (options.withCreds !== false)
    await writeFile(
      join(secrets, podSecretFiles.natsCreds),
      await mint({ runId: run.id, expiresAt: new Date(Date.now() + 120_000) }),
    );
  const prefix = runArtifactPrefix(incident.id, run.id);
  const uploads = {
    report: await store.uploadLink(`${prefix}/report.md`, podUploadContentTypes.report, 600),
    transcript: await store.uploadLink(`${prefix}/transcript.log`, podUploadContentTypes.transcript, 600),
    runJson: await store.uploadLink(`${prefix}/run.json`, podUploadContentTypes.runJson, 600),
  };
  await writeFile(join(secrets, podSecretFiles.uploads), JSON.stringify(uploads));
  return {
    runId: run.id,
    prefix,
    workspace: join(workspaceRoot, run.id),
    secrets,
    specFile,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      WATCHKEEPER_POD_SPEC: specFile,
      WATCHKEEPER_POD_SECRETS: secrets,
      WATCHKEEPER_POD_WORKSPACE: workspaceRoot,
    },
  };
}

/** Starts the bundle the way the image's entry point does: `node pod-runner.mjs`, nothing else. */
function startRunner(pod: PodRun, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [podRunnerBundle], {
    env: { ...pod.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    running: () => child.exitCode === null && child.signalCode === null,
  };
}

function follow(runId: string) {
  const events: ProgressEvent[] = [];
  const stop = new AbortController();
  const reading = (async () => {
    for await (const message of bus.subscribe(subjects.runProgress(runId), {
      from: 'all',
      signal: stop.signal,
    }))
      events.push(message.data as ProgressEvent);
  })().catch(() => undefined);
  return {
    events,
    stop: async () => {
      stop.abort();
      await reading;
    },
  };
}

/** An uploaded object's text, and that it was uploaded with the content type its URL was signed for. */
async function uploaded(key: string, contentType: string): Promise<string> {
  const object = await store.get(key);
  if (!object) throw new Error(`nothing was uploaded at ${key}`);
  expect(object.contentType).toBe(contentType);
  return new TextDecoder().decode(object.body);
}

const runJsonOf = async (pod: PodRun) =>
  PodRunResultSchema.parse(
    JSON.parse(await uploaded(`${pod.prefix}/run.json`, podUploadContentTypes.runJson)),
  );

const release = (pod: PodRun) => writeFile(join(pod.workspace, 'release'), '');

describe('the bundled pod runner', () => {
  it('is the bundle of the current sources (run `npm run pod-runner:build` and commit it)', async () => {
    const committed = await readFile(podRunnerBundle, 'utf8');
    expect(
      committed === (await bundlePodRunner()),
      'run `npm run pod-runner:build` and commit the result',
    ).toBe(true);
  }, 60_000);

  it('publishes progress on NATS while the agent works, then uploads report, transcript and run.json', async () => {
    const pod = await preparePod({ natsServers: [nats.url] });
    const progress = follow(pod.runId);
    const runner = startRunner(pod);
    await until('three events on NATS from the running pod', () => progress.events.length >= 4, 30_000);
    expect(runner.running(), 'events arrived while the runner and its agent still ran').toBe(true);
    await release(pod);
    expect(await runner.exited, runner.stderr()).toBe(podRunnerExitCodes.succeeded);
    await new Promise((done) => setTimeout(done, 300));
    await progress.stop();

    const events = progress.events;
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((event) => event.type)).toEqual([
      'run.started',
      'tool.called',
      'tool.result',
      'tool.denied',
      'assistant.message',
    ]);
    expect(new Set(events.map((event) => event.runId))).toEqual(new Set([pod.runId]));
    // The kubectl guard denied the delete, as in a local run; the prompt listed the incident's fault.
    expect(events[3]).toMatchObject({ type: 'tool.denied', tool: 'kubectl' });
    expect(events[4]).toMatchObject({
      excerpt: expect.stringMatching(/delete exited [1-9].*lists the fault/) as string,
    });
    // The secret the agent leaked is redacted before it leaves the pod, on NATS and on stdout alike.
    expect(redact(leakedKey)).not.toContain(leakedKey);
    expect(JSON.stringify(events)).not.toContain(leakedKey);
    expect(runner.stdout()).not.toContain(leakedKey);
    // stdout has exactly the same events, one JSON line each (the fallback when NATS is not there).
    const lines = runner
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ProgressEvent);
    expect(lines).toEqual(JSON.parse(JSON.stringify(events)));

    const report = await uploaded(`${pod.prefix}/report.md`, podUploadContentTypes.report);
    expect(report).toBe(await readFile(validReport, 'utf8'));
    const transcript = await uploaded(`${pod.prefix}/transcript.log`, podUploadContentTypes.transcript);
    expect(transcript).toContain('agent: waiting for the test to release me');
    const runJson = await runJsonOf(pod);
    expect(runJson).toMatchObject({
      runId: pod.runId,
      agent: 'scripted',
      kind: 'custom',
      outcome: 'succeeded',
      exitCode: 0,
      progress: { via: 'nats', events: 5 },
    });
    expect(runJson.usage?.durationMs).toBeGreaterThan(0);
  }, 90_000);

  it('still runs the agent when NATS is unreachable: events on stdout, and run.json says why', async () => {
    const closedPort = 'nats://127.0.0.1:9';
    const pod = await preparePod({ natsServers: [closedPort] });
    const runner = startRunner(pod);
    await until('the agent waits', () => runner.stdout().includes('assistant.message'), 30_000);
    await release(pod);
    expect(await runner.exited, runner.stderr()).toBe(podRunnerExitCodes.succeeded);
    expect(runner.stderr()).toContain(`${podFailurePrefix}NATS: unreachable at ${closedPort}`);
    const lines = runner
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ProgressEvent);
    expect(lines.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    const runJson = await runJsonOf(pod);
    expect(runJson.progress).toMatchObject({
      via: 'stdout',
      events: 5,
      natsError: expect.stringContaining('unreachable') as string,
    });
  }, 90_000);

  it('says NATS is not configured when the spec names no server', async () => {
    const pod = await preparePod({ withCreds: false });
    const runner = startRunner(pod);
    await until('the agent waits', () => runner.stdout().includes('assistant.message'), 30_000);
    await release(pod);
    expect(await runner.exited).toBe(podRunnerExitCodes.succeeded);
    const runJson = await runJsonOf(pod);
    expect(runJson.progress).toEqual({
      via: 'stdout',
      events: 5,
      natsError: 'NATS is not configured for this run',
    });
  }, 90_000);

  it('exits 127 with one line naming the CLI when the image lacks it', async () => {
    const pod = await preparePod({ profile: { command: 'no-such-agent-cli' } });
    const runner = startRunner(pod);
    expect(await runner.exited).toBe(podRunnerExitCodes.cliMissing);
    expect(runner.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(
        /^watchkeeper-pod-runner: the agent CLI "no-such-agent-cli" of profile scripted is not in the image/,
      ) as string,
    ]);
  }, 30_000);

  it('exits 64 naming the field when the spec is invalid, and when a secret file is missing', async () => {
    const pod = await preparePod();
    const spec = JSON.parse(await readFile(pod.specFile, 'utf8')) as { budget: { maxTurns: number } };
    spec.budget.maxTurns = -1;
    await writeFile(pod.specFile, JSON.stringify(spec));
    const invalid = startRunner(pod);
    expect(await invalid.exited).toBe(podRunnerExitCodes.specInvalid);
    expect(invalid.stderr()).toMatch(/^watchkeeper-pod-runner: pod run spec field budget\.maxTurns: .+\n$/);

    const other = await preparePod();
    await rm(join(other.secrets, `${podSecretFiles.secretEnvPrefix}POD_TEST_SECRET`));
    const missing = startRunner(other);
    expect(await missing.exited).toBe(podRunnerExitCodes.specInvalid);
    expect(missing.stderr()).toContain('the secret environment variable POD_TEST_SECRET is missing');
  }, 30_000);

  it('exits 1 when the agent fails, and still uploads the transcript and run.json (no report)', async () => {
    const pod = await preparePod({
      natsServers: [nats.url],
      profile: { env: { POD_TEST_EXIT: '3', POD_TEST_NO_REPORT: '1' } },
    });
    const runner = startRunner(pod);
    await until('the agent waits', () => runner.stdout().includes('assistant.message'), 30_000);
    await release(pod);
    expect(await runner.exited).toBe(podRunnerExitCodes.agentFailed);
    expect(runner.stderr()).toMatch(/^watchkeeper-pod-runner: crashed: exited with 3/m);
    expect(await store.get(`${pod.prefix}/report.md`)).toBeUndefined();
    expect(await uploaded(`${pod.prefix}/transcript.log`, podUploadContentTypes.transcript)).toContain(
      'waiting for the test',
    );
    expect(await runJsonOf(pod)).toMatchObject({
      outcome: 'failed',
      exitCode: 3,
      failure: expect.stringMatching(/^crashed/) as string,
    });
  }, 60_000);
});
