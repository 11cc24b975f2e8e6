/**
 * What an agent CLI test needs around one triage run: real PostgreSQL, NATS JetStream, the S3 server, the
 * harness cluster with a crash-looping pod and the read-only triage RBAC, and the scripted model server.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { AgentProfile } from '../../../core/domain/agent-profile.ts';
import { asIncidentId, type RunId } from '../../../core/domain/ids.ts';
import type { Incident } from '../../../core/domain/incident.ts';
import type { ProgressEvent } from '../../../core/domain/progress.ts';
import type { Bus } from '../../../core/ports/bus.ts';
import { subjects } from '../../../core/ports/subjects.ts';
import type { RunResult } from '../../../core/ports/triage-launcher.ts';
import { openStore, type OpenedStore } from '../../../core/store/open-store.ts';
import { openNatsBus } from '../../../runners/bus/nats-bus.ts';
import { createS3ReportStore } from '../../../runners/reports/s3-report-store.ts';
import { createTriageLauncher } from '../../../runners/triage/triage-launcher.ts';
import { makeFault, makeIncident, makeRun } from '../../fixtures/domain.ts';
import { silentLogger } from '../../fixtures/logger.ts';
import { applyManifests } from '../../harness/kube-helpers.ts';
import {
  startScriptedModelServer,
  type ScriptedModelOptions,
  type ScriptedModelServer,
} from '../../harness/model-server/scripted-model-server.ts';
import type { ScriptStep } from '../../harness/model-server/script.ts';
import { binaries } from '../../harness/process.ts';
import { harness } from '../../harness/use.ts';
import { createGhostPod, podStatus, setPodStatus, useTestNamespace } from '../../intake/cluster-objects.ts';
import { createTestDatabase } from '../../store/postgres-database.ts';
import { crashingPod } from './triage-scenario.ts';

export interface AgentRun {
  readonly result: RunResult;
  readonly incident: Incident;
  readonly runId: RunId;
  /** The run's progress as a subscriber of NATS JetStream received it. */
  readonly events: readonly ProgressEvent[];
  readonly model: ScriptedModelServer;
  readonly read: (key: string) => Promise<string>;
}

export function useAgentRunFixture(prefix: string) {
  const space = useTestNamespace(prefix);
  const fixture = {} as {
    database: Awaited<ReturnType<typeof createTestDatabase>>;
    store: OpenedStore;
    bus: Bus;
    reports: ReturnType<typeof createS3ReportStore>;
    workRoot: string;
  };

  beforeAll(async () => {
    await applyManifests(space.client, [
      await readFile(new URL('../../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    await createGhostPod(space.client, space.name, crashingPod, {}, space.node);
    await setPodStatus(
      space.client,
      space.name,
      crashingPod,
      podStatus.crashLooping(1, 'Error', 'panic: missing DATABASE_URL'),
    );
    fixture.database = await createTestDatabase();
    fixture.store = await openStore({ kind: 'postgres', url: fixture.database.url });
    fixture.bus = await openNatsBus({ url: harness('nats').url, logger: silentLogger });
    const s3 = harness('s3');
    fixture.reports = createS3ReportStore({
      bucket: s3.bucket,
      prefix: `agents-${randomUUID()}/`,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    fixture.workRoot = await mkdtemp(join(tmpdir(), 'wk-agents-'));
  });
  afterAll(async () => {
    fixture.reports.close();
    await fixture.bus.close();
    await fixture.store.close();
    await fixture.database.drop();
    await rm(fixture.workRoot, { recursive: true, force: true });
  });

  async function receive(runId: string): Promise<ProgressEvent[]> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    const events: ProgressEvent[] = [];
    for await (const message of fixture.bus.subscribe(subjects.runProgress(runId), {
      from: 'all',
      signal: controller.signal,
    })) {
      const event = message.data as ProgressEvent;
      events.push(event);
      if (event.type === 'run.finished') controller.abort();
    }
    clearTimeout(timer);
    return events;
  }

  /** Runs one triage of the crash-looping pod with `profile`, the model playing `script`. */
  async function triage(
    profile: Omit<AgentProfile, 'baseUrl'>,
    script: readonly ScriptStep[],
    baseUrl: (modelUrl: string) => string,
    modelOptions: ScriptedModelOptions = {},
  ): Promise<AgentRun> {
    const model = await startScriptedModelServer(script, modelOptions);
    try {
      const incident = makeIncident({
        cluster: 'harness',
        title: `${crashingPod} is crash-looping`,
        primaryResource: { apiVersion: 'v1', kind: 'Pod', namespace: space.name, name: crashingPod },
      });
      await fixture.store.incidents.create(incident);
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
      await fixture.store.faults.record(fault);
      await fixture.store.incidents.addMember({
        incidentId: asIncidentId(incident.id),
        cluster: 'harness',
        faultId: fault.faultId,
        reason: 'primary',
        joinedAt: new Date(),
      });
      const run = makeRun(incident, { agent: profile.name, cluster: 'harness' });
      await fixture.store.runs.create(run);
      const launcher = createTriageLauncher({
        profiles: { [profile.name]: { ...profile, baseUrl: baseUrl(model.url) } },
        workRoot: fixture.workRoot,
        store: fixture.store,
        reports: fixture.reports,
        bus: fixture.bus,
        kube: {
          config: space.client.config,
          credentials: { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
        },
        logger: silentLogger,
        kubernetesMcpServer: binaries().kubernetesMcpServer,
      });
      const result = await launcher.launch({
        run,
        incident,
        budget: { wallTimeMs: 120_000, maxTurns: 12 },
        signal: new AbortController().signal,
        onSandbox: () => Promise.resolve(),
      });
      const events = await receive(run.id);
      const read = async (key: string) =>
        Buffer.from((await fixture.reports.get(key))?.body ?? []).toString('utf8');
      return { result, incident, runId: run.id, events, model, read };
    } finally {
      await model.close();
    }
  }

  return { space, fixture, triage };
}
