/**
 * Remediation from a report to a verified result, on real parts (PostgreSQL, NATS, the S3 server, the harness
 * cluster): the report's rollout restart is dry-run and proposed; an outsider, a repeated approver and an
 * expired request are refused; with the two-person rule the first approval is recorded and the second runs it;
 * a denial runs nothing; actions outside the closed set are refused with the reason; every step is audited in
 * PostgreSQL and next to the report in S3.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asIncidentId, type IncidentId } from '../../core/domain/ids.ts';
import type { Bus } from '../../core/ports/bus.ts';
import { createLifecycleService } from '../../core/services/lifecycle-service.ts';
import {
  createRemediationService,
  type RemediationService,
} from '../../core/services/remediation-service.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import { createClusterExecutor } from '../../runners/remediation/cluster-executor.ts';
import { createS3ReportStore } from '../../runners/reports/s3-report-store.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createDeployment } from './deployments.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

const report = (actions: string) => `# checkout crash-loops

## Triage card
- Status: investigated
- Severity: high
- Root cause: the config map changed and the pods kept the old one
- Confidence: high

## Problem statement
x

## Findings
- fact: y

## Hypotheses
1. z

## Remediation plan
Restart the rollout.

\`\`\`json watchkeeper-actions
${actions}
\`\`\`

## Proof of work
- kubectl: w
`;

function expectOutcome(result: { ok: boolean; message: string }, ok: boolean, message: RegExp): void {
  expect(result.ok).toBe(ok);
  expect(result.message).toMatch(message);
}

describe('remediation from proposal to verified result', () => {
  let client: KubeClient;
  let namespace: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let bus: Bus;
  let reports: ReturnType<typeof createS3ReportStore>;
  let ttlMs = 60_000;

  const service = (): RemediationService => {
    const lifecycle = createLifecycleService({ store, bus, logger: silentLogger });
    return createRemediationService({
      store,
      lifecycle,
      executor: createClusterExecutor({
        kubeconfig: client.config,
        store,
        reports,
        homeNamespace: namespace,
        verifyTimeoutMs: 60_000,
      }),
      reports,
      ids: { newId: () => randomUUID() },
      clock: { now: () => new Date() },
      settings: { requiredApprovals: () => 2, approvalTtlMs: ttlMs, leaseMs: 60_000 },
      owner: 'test',
      logger: silentLogger,
    });
  };

  async function reportedIncident(actions: string): Promise<IncidentId> {
    const incident = makeIncident({ cluster: 'harness', fingerprint: `f-${randomUUID()}` });
    const run = makeRun(incident, { cluster: 'harness', status: 'succeeded' });
    await store.incidents.create({ ...incident, state: { status: 'reported', runId: run.id } });
    await store.runs.create(run);
    const markdownKey = `incidents/${incident.id}/runs/${run.id}/report.md`;
    await reports.put(markdownKey, report(actions), 'text/markdown');
    await store.reports.save({
      runId: run.id,
      incidentId: incident.id,
      card: { status: 'investigated', severity: 'high', rootCause: 'x', confidence: 'high' },
      artifacts: { markdownKey, htmlKey: 'h', transcriptKey: 't', metadataKey: 'm' },
      createdAt: new Date(),
    });
    return asIncidentId(incident.id);
  }

  const restartAction = () =>
    JSON.stringify([
      {
        type: 'rollout_restart',
        target: { kind: 'Deployment', namespace, name: 'checkout' },
        rationale: 'pick up the new config',
        risk: 'pods restart one at a time',
      },
    ]);

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'remedy-flow');
    await createDeployment(client, namespace, 'checkout');
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    bus = await openNatsBus({ url: harness('nats').url, logger: silentLogger });
    const s3 = harness('s3');
    reports = createS3ReportStore({
      bucket: s3.bucket,
      prefix: `remediation-${randomUUID()}/`,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    reports.close();
    await bus.close();
    await store.close();
    await database.drop();
    await deleteNamespace(client, namespace);
  });

  it('two approvers run a rollout restart with a scoped token, verified, audited in PostgreSQL and S3', async () => {
    const remediation = service();
    const incidentId = await reportedIncident(restartAction());
    const proposed = await remediation.propose(incidentId, { type: 'slack-user', userId: 'U0SRE' });
    if (!proposed.ok) throw new Error(proposed.message);
    expect(proposed.request.dryRun[0]).toMatch(
      /spec\.template\.metadata\.annotations: \(none\) → \{"kubectl\.kubernetes\.io\/restartedAt"/,
    );
    expect((await store.incidents.get(incidentId))?.state.status).toBe('remediation_proposed');
    const id = proposed.request.id;

    expectOutcome(
      await remediation.vote(id, { userId: 'U0OUTSIDER', decision: 'approve', mayApprove: false }),
      false,
      /not an approver/,
    );
    expectOutcome(
      await remediation.vote(id, { userId: 'U0ALICE', decision: 'approve', mayApprove: true }),
      true,
      /approval 1 of 2 recorded/,
    );
    expectOutcome(
      await remediation.vote(id, { userId: 'U0ALICE', decision: 'approve', mayApprove: true }),
      false,
      /another approver/,
    );
    const generation = (await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' })).metadata
      ?.generation;
    expect(await remediation.executeDue(new AbortController().signal)).toBe(0); // nothing runs on one approval
    expectOutcome(
      await remediation.vote(id, { userId: 'U0BOB', decision: 'approve', mayApprove: true }),
      true,
      /^approved$/,
    );

    expect(await remediation.executeDue(new AbortController().signal)).toBe(1);
    expect((await store.incidents.get(incidentId))?.state.status).toBe('remediated');
    const done = await store.remediation.get(id);
    expect(done).toMatchObject({ status: 'succeeded', verification: { ok: true } });
    const deployment = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
    expect(deployment.metadata?.generation).toBeGreaterThan(generation ?? 0);

    const actions = (await store.audit.listByIncident(incidentId)).map((entry) => entry.action);
    expect(actions).toEqual([
      'remediation.proposed',
      'remediation.approve_refused',
      'remediation.recorded',
      'remediation.approve_refused',
      'remediation.approved',
      'remediation.verified',
    ]);
    const record = await reports.get(`incidents/${incidentId}/remediation/${id}/audit.json`);
    const trail = (JSON.parse(new TextDecoder().decode(record?.body)) as { trail: { action: string }[] })
      .trail;
    expect(trail.map((entry) => entry.action)).toEqual(actions);
    const leftovers = await client.core.listNamespacedServiceAccount({
      namespace,
      labelSelector: 'app.kubernetes.io/managed-by=watchkeeper',
    });
    expect(leftovers.items).toHaveLength(0);
  }, 90_000);

  it('a denial executes nothing', async () => {
    const remediation = service();
    const incidentId = await reportedIncident(restartAction());
    const proposed = await remediation.propose(incidentId, { type: 'slack-user', userId: 'U0SRE' });
    if (!proposed.ok) throw new Error(proposed.message);
    const generation = (await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' })).metadata
      ?.generation;
    expect(
      await remediation.vote(proposed.request.id, { userId: 'U0ALICE', decision: 'deny', mayApprove: true }),
    ).toMatchObject({ ok: true });
    expect((await store.incidents.get(incidentId))?.state.status).toBe('remediation_denied');
    expect(await remediation.executeDue(new AbortController().signal)).toBe(0);
    expect(
      (await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' })).metadata?.generation,
    ).toBe(generation);
  });

  it('an expired request is refused', async () => {
    ttlMs = 50;
    try {
      const remediation = service();
      const incidentId = await reportedIncident(restartAction());
      const proposed = await remediation.propose(incidentId, { type: 'slack-user', userId: 'U0SRE' });
      if (!proposed.ok) throw new Error(proposed.message);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expectOutcome(
        await remediation.vote(proposed.request.id, {
          userId: 'U0ALICE',
          decision: 'approve',
          mayApprove: true,
        }),
        false,
        /expired; propose the remediation again/,
      );
      // the sweep closes it, so the incident can be triaged or proposed again
      expect(await remediation.expireDue()).toBe(1);
      expect((await store.remediation.get(proposed.request.id))?.status).toBe('expired');
      expect((await store.incidents.get(incidentId))?.state.status).toBe('remediation_denied');
    } finally {
      ttlMs = 60_000;
    }
  });

  it('actions outside the closed set or malformed are refused with the reason, and nothing is proposed', async () => {
    const remediation = service();
    const incidentId = await reportedIncident(
      JSON.stringify([
        { type: 'shell', command: 'kubectl delete ns prod', rationale: 'x', risk: 'y' },
        {
          type: 'patch',
          target: { kind: 'Deployment', namespace, name: 'checkout' },
          patchType: 'strategic-merge',
          patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'evil/miner' }] } } } },
          rationale: 'x',
          risk: 'y',
        },
      ]),
    );
    const proposed = await remediation.propose(incidentId, { type: 'slack-user', userId: 'U0SRE' });
    expect(proposed.ok).toBe(false);
    if (proposed.ok) return;
    expect(proposed.message).toMatch(
      /proposes no executable action \(refused: action 1: .*; action 2: container 0: only resources, env and probes may change, not image\)/,
    );
    expect(await store.remediation.listByIncident(incidentId)).toHaveLength(0);
    expect((await store.incidents.get(incidentId))?.state.status).toBe('reported');
  });
});
