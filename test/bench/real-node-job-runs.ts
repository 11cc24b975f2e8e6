/**
 * For `npm run bench:runner`: whole triage runs in Kubernetes Jobs on the harness's REAL node, in the agent image
 * (already imported), through createJobLauncher with operator-mode NATS (the run's own credential) and versitygw,
 * set up as test/jobs/agent-clis-in-jobs.test.ts does. The agent is a custom one-liner that writes a valid
 * report, so the figures are Watchkeeper's and Kubernetes' overhead, not a model's thinking time.
 * Measured from "run requested" (launch called): the first progress event published from inside the pod
 * (`run.started`, when the in-pod runner spawned the agent) arriving on NATS, and `run.finished` (published once
 * the validated report is stored).
 */
import { randomUUID } from 'node:crypto';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import { Secret } from '../../core/domain/secret.ts';
import type { Store } from '../../core/ports/store.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createRunCredentialMinter } from '../../runners/bus/run-credentials.ts';
import { createJobLauncher } from '../../runners/job/job-launcher.ts';
import { createS3ReportStore } from '../../runners/reports/s3-report-store.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { createNamespace, deleteNamespace, type KubeClient } from '../harness/kube-helpers.ts';
import type { KubeInfo } from '../harness/services/kube.ts';
import { startOperatorNats } from '../harness/services/nats-operator.ts';
import { ensureRealNode, type RealNodeInfo } from '../harness/services/real-node.ts';
import { ensureS3 } from '../harness/services/s3.ts';
import { triageReport } from '../runners/agent-clis/triage-scenario.ts';

export interface RealNodeJobSample {
  readonly firstProgressMs: number;
  readonly reportMs: number;
}

/** The real node with its agent image, or why the bench cannot use it. */
export async function realNodeOrWhyNot(
  kube: KubeInfo,
): Promise<{ node: RealNodeInfo & { agentImage: string } } | { reason: string }> {
  try {
    const node = await ensureRealNode(kube);
    if (!node.agentImage)
      return {
        reason: 'the agent image was not built (bash test/harness/build-binaries.sh says why)',
      };
    return { node: { ...node, agentImage: node.agentImage } };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

export async function measureRealNodeJobRuns(options: {
  readonly client: KubeClient;
  readonly node: RealNodeInfo & { agentImage: string };
  readonly store: Store;
  readonly runs: number;
}): Promise<RealNodeJobSample[]> {
  const { client, node, store } = options;
  const namespace = await createNamespace(client, 'bench-realnode');
  const nats = await startOperatorNats();
  const bus = await openNatsBus({ url: nats.url, creds: nats.setup.watchkeeperCreds, logger: silentLogger });
  const s3 = await ensureS3();
  const reports = createS3ReportStore({
    bucket: s3.bucket,
    prefix: `bench-runner-${randomUUID()}/`,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  // No `{name}` placeholders in the script: the custom invocation expands those in its arguments.
  const writeReport = `require('node:fs').writeFileSync(process.env.WATCHKEEPER_REPORT_FILE, ${JSON.stringify(triageReport(namespace))})`;
  const profile: AgentProfile = {
    name: 'bench-job',
    kind: 'custom',
    command: 'node',
    args: ['-e', writeReport],
    env: {},
    skillsPath: '.skills',
    runner: 'kubernetes-job',
    image: node.agentImage,
  };
  const launcher = createJobLauncher({
    profiles: { [profile.name]: profile },
    kube: {
      config: client.config,
      credentials: { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
    },
    namespace,
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

  const samples: RealNodeJobSample[] = [];
  try {
    for (let i = 0; i < options.runs; i += 1) {
      const incident = makeIncident({ cluster: 'harness' });
      await store.incidents.create(incident);
      const run = makeRun(incident, { agent: profile.name, cluster: 'harness', runner: 'kubernetes-job' });
      await store.runs.create(run);
      const listening = new AbortController();
      let firstProgressMs = NaN;
      let reportMs = NaN;
      let started = NaN;
      const events: ProgressEvent[] = [];
      const received = (async () => {
        for await (const message of bus.subscribe(subjects.runProgress(run.id), {
          from: 'all',
          signal: listening.signal,
        })) {
          const event = message.data as ProgressEvent;
          const at = performance.now() - started;
          events.push(event);
          if (Number.isNaN(firstProgressMs)) firstProgressMs = at;
          if (event.type === 'run.finished') {
            reportMs = at;
            listening.abort();
          }
        }
      })().catch(() => undefined);
      started = performance.now();
      const result = await launcher.launch({
        run,
        incident,
        budget: { wallTimeMs: 120_000, maxTurns: 5 },
        signal: new AbortController().signal,
        onSandbox: () => Promise.resolve(),
      });
      const stopListening = setTimeout(() => listening.abort(), 10_000);
      await received;
      clearTimeout(stopListening);
      const report = await store.reports.getByRun(run.id);
      if (!result.ok || !report)
        throw new Error(
          `the Job run on the real node did not report: ${JSON.stringify(result)}; events: ${JSON.stringify(events).slice(0, 2_000)}`,
        );
      // The pipeline publishes run.started itself only when the sandbox does not: here the pod must have.
      if (events[0]?.type !== 'run.started')
        throw new Error(
          `the first progress event was not the pod's run.started: ${JSON.stringify(events[0])}`,
        );
      samples.push({ firstProgressMs, reportMs });
    }
  } finally {
    reports.close();
    await bus.close();
    await nats.stop();
    await deleteNamespace(client, namespace);
  }
  return samples;
}
