import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRef } from '../../core/domain/run.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createJobLauncher } from '../../runners/job/job-launcher.ts';
import { createS3ReportStore, type S3ReportStore } from '../../runners/reports/s3-report-store.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

describe('triage runs as Kubernetes Jobs (harness cluster, real S3, real PostgreSQL)', () => {
  let client: KubeClient;
  let namespace: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let reports: S3ReportStore;

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    await applyManifests(client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    namespace = await createNamespace(client, 'jobs');
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    const s3 = harness('s3');
    reports = createS3ReportStore({
      bucket: s3.bucket,
      prefix: `jobs-${randomUUID()}/`,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3,
    });
  });
  afterAll(async () => {
    reports.close();
    await store.close();
    await database.drop();
    await deleteNamespace(client, namespace);
  });

  function jobLauncher() {
    return createJobLauncher({
      profiles: {
        claude: {
          name: 'claude',
          kind: 'custom',
          command: 'claude',
          args: ['-p'],
          env: { ANTHROPIC_API_KEY: 'sk-ant-x' },
          skillsPath: '.claude/skills',
          image: 'ghcr.io/watchkeeper/agent:1',
        },
      },
      kube: {
        config: client.config,
        credentials: { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
      },
      namespace,
      store,
      reports,
      logger: silentLogger,
    });
  }

  it('keeps the report the agent uploaded once its Job completes', async () => {
    const launcher = jobLauncher();
    const incident = makeIncident();
    await store.incidents.create(incident);
    const run = makeRun(incident, { agent: 'claude', runner: 'kubernetes-job' });
    await store.runs.create(run);
    // What the agent does inside the Job with WATCHKEEPER_REPORT_UPLOAD_URL (kwok runs no container).
    const prefix = `incidents/${incident.id}/runs/${run.id}/upload`;
    const report = await readFile(new URL('fixtures/valid-report.md', import.meta.url), 'utf8');
    await reports.put(`${prefix}/report.md`, report, 'text/markdown');
    await reports.put(
      `${prefix}/transcript.log`,
      'ran kubectl get pods with Authorization: Bearer abcdefghijklmnop',
      'text/plain',
    );
    const result = await launcher.launch({
      run,
      incident,
      budget: { wallTimeMs: 600_000, maxTurns: 10 },
      signal: new AbortController().signal,
      onSandbox: () => Promise.resolve(),
    });
    expect(result).toEqual({ ok: true, reportKey: `incidents/${incident.id}/runs/${run.id}/report.md` });
    const stored = await store.reports.getByRun(run.id);
    expect(stored?.card.rootCause).toBe('the image tag does not exist');
    const transcript = Buffer.from(
      (await reports.get(stored?.artifacts.transcriptKey ?? ''))?.body ?? [],
    ).toString();
    expect(transcript).toContain('Bearer [REDACTED]');
  });

  it('runs the profile in a Job, follows its pod to the end, and fails clearly when the agent uploaded no report', async () => {
    const launcher = jobLauncher();
    const incident = makeIncident();
    await store.incidents.create(incident);
    const run = makeRun(incident, { agent: 'claude', runner: 'kubernetes-job' });
    let sandbox: SandboxRef | undefined;
    const result = await launcher.launch({
      run,
      incident,
      budget: { wallTimeMs: 600_000, maxTurns: 10 },
      signal: new AbortController().signal,
      onSandbox: (ref) => {
        sandbox = ref;
        return Promise.resolve();
      },
    });
    expect(sandbox).toMatchObject({ kind: 'kubernetes-job', namespace });
    expect(result).toMatchObject({
      ok: false,
      failure: { reason: 'invalid_report', detail: expect.stringMatching(/uploaded no report/) as string },
    });

    const name = sandbox?.kind === 'kubernetes-job' ? sandbox.name : '';
    const secret = await client.core.readNamespacedSecret({ name, namespace });
    const env = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    expect(Object.keys(env).sort()).toEqual([
      'ANTHROPIC_API_KEY',
      'WATCHKEEPER_REPORT_UPLOAD_URL',
      'WATCHKEEPER_TRANSCRIPT_UPLOAD_URL',
      'kubeconfig',
    ]);
    expect(env.WATCHKEEPER_REPORT_UPLOAD_URL).toMatch(/X-Amz-Signature=/);
    const configMap = await client.core.readNamespacedConfigMap({ name, namespace });
    expect(Object.keys(configMap.data ?? {}).sort()).toEqual(['incident.json', 'prompt.md']);
    expect(configMap.data?.['prompt.md']).not.toContain('token:');
  });
});
