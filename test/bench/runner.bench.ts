/**
 * `npm run bench:runner`: time from "run requested" (launch called) to "agent process started" for the local
 * runner (minting the run token, preparing the workspace, spawning the sandbox) and to "Job created" for the
 * Kubernetes Job runner, on the harness cluster; and, for the local runner, the whole no-op run (sandbox set up,
 * node started and exited, sandbox torn down), which is where the bubblewrap sandbox costs. On the harness's real
 * node (service `node`, agent image built) also whole Job runs: requested → first progress event from inside the
 * pod, and requested → validated report stored (real-node-job-runs.ts); without a real node the bench says why and
 * leaves those figures out. Last line: one JSON object.
 * BENCH_RUNS (default 20) sets the runs per quick figure, BENCH_JOB_RUNS (default 5) the runs on the real node.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentProfile } from '../../core/domain/agent-profile.ts';
import type { TriageLauncher } from '../../core/ports/triage-launcher.ts';
import { openStore } from '../../core/store/open-store.ts';
import { createMemoryBus } from '../../runners/bus/memory-bus.ts';
import { createJobLauncher } from '../../runners/job/job-launcher.ts';
import { createFolderReportStore } from '../../runners/reports/folder-report-store.ts';
import { createTriageLauncher } from '../../runners/triage/triage-launcher.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { applyManifests, createNamespace, deleteNamespace, kubeClient } from '../harness/kube-helpers.ts';
import { ensureKube } from '../harness/services/kube.ts';
import { withBenchDatabase } from './bench-database.ts';
import { measureRealNodeJobRuns, realNodeOrWhyNot } from './real-node-job-runs.ts';

const runs = Number(process.env.BENCH_RUNS ?? 20);
const jobRuns = Number(process.env.BENCH_JOB_RUNS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const kube = await ensureKube();
const client = kubeClient(kube.kubeconfigPath);
await applyManifests(client, [
  await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
]);
const namespace = await createNamespace(client, 'bench-runs');
const dir = await mkdtemp(join(tmpdir(), 'wk-bench-runner-'));
const profile: AgentProfile = {
  name: 'noop',
  kind: 'custom',
  command: process.execPath,
  args: ['-e', 'process.exit(0)'],
  env: {},
  skillsPath: '.skills',
  image: 'ghcr.io/watchkeeper/agent:bench',
};

try {
  const figures = await withBenchDatabase(async (url) => {
    const store = await openStore({ kind: 'postgres', url });
    const reports = createFolderReportStore({
      root: join(dir, 'reports'),
      baseUrl: () => 'http://127.0.0.1:1',
      signingKey: 'bench',
    });
    const credentials = { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' };
    const local = createTriageLauncher({
      profiles: { noop: profile },
      workRoot: join(dir, 'runs'),
      store,
      reports,
      bus: createMemoryBus(),
      kube: { config: client.config, credentials },
      logger: silentLogger,
    });
    const job = createJobLauncher({
      profiles: { noop: profile },
      kube: { config: client.config, credentials },
      namespace,
      store,
      reports,
      bus: createMemoryBus(),
      drainMs: 0,
      logger: silentLogger,
    });

    const totals: number[] = [];
    async function measure(launcher: TriageLauncher): Promise<number[]> {
      const samples: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const incident = makeIncident();
        await store.incidents.create(incident);
        const run = makeRun(incident, { agent: 'noop' });
        await store.runs.create(run);
        const started = performance.now();
        let spawned = NaN;
        await launcher.launch({
          run,
          incident,
          budget: { wallTimeMs: 600_000, maxTurns: 5 },
          signal: new AbortController().signal,
          onSandbox: () => {
            spawned = performance.now() - started;
            return Promise.resolve();
          },
        });
        samples.push(spawned);
        if (launcher === local) totals.push(performance.now() - started);
      }
      return samples;
    }
    const localSamples = await measure(local);
    const jobSamples = await measure(job);
    const realNode = await realNodeOrWhyNot(kube);
    const onRealNode =
      'node' in realNode
        ? await measureRealNodeJobRuns({ client, node: realNode.node, store, runs: jobRuns })
        : realNode.reason;
    await store.close();
    return {
      local: median(localSamples),
      job: median(jobSamples),
      localRun: median(totals),
      onRealNode,
    };
  });
  console.log(
    `local runner: run requested → agent process started, p50 ${figures.local.toFixed(0)} ms over ${runs} runs (goal < 300 ms)`,
  );
  console.log(
    `local runner: a whole no-op run (requested → sandbox gone), p50 ${figures.localRun.toFixed(0)} ms over ${runs} runs`,
  );
  console.log(
    `Job runner: run requested → Job created, p50 ${figures.job.toFixed(0)} ms over ${runs} runs (goal < 500 ms)`,
  );
  const real = figures.onRealNode;
  if (typeof real === 'string') {
    console.log(`Job runner on the real node: not measured, the real node is not available: ${real}`);
  } else {
    const firstProgress = median(real.map((s) => s.firstProgressMs));
    const report = median(real.map((s) => s.reportMs));
    console.log(
      `Job runner on the real node: run requested → first progress event from inside the pod, p50 ${firstProgress.toFixed(0)} ms over ${real.length} runs (goal < 5000 ms)`,
    );
    console.log(
      `Job runner on the real node: run requested → validated report stored, p50 ${(report / 1000).toFixed(1)} s over ${real.length} runs`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'runner',
      local_start_ms_p50: Math.round(figures.local),
      local_run_ms_p50: Math.round(figures.localRun),
      job_create_ms_p50: Math.round(figures.job),
      ...(typeof real !== 'string' && {
        job_first_progress_ms_p50: Math.round(median(real.map((s) => s.firstProgressMs))),
        job_report_s_p50: Number((median(real.map((s) => s.reportMs)) / 1000).toFixed(1)),
      }),
    }),
  );
} finally {
  await deleteNamespace(client, namespace);
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
