import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../bot/http/http-server.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { createWebhookHandler } from '../../listeners/webhooks/webhook-handler.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { incidentServices } from '../incidents/incident-harness.ts';
import { createTestDatabase } from '../store/postgres-database.ts';

const token = 'test-webhook-token';

function alert(status: 'firing' | 'resolved', pod: string, extra: Record<string, string> = {}) {
  return {
    status,
    labels: {
      alertname: 'KubePodCrashLooping',
      severity: 'critical',
      namespace: 'shop',
      pod,
      container: 'app',
      ...extra,
    },
    annotations: { summary: `Pod shop/${pod} is crash looping`, description: 'token=abc123 leaked' },
    startsAt: '2026-11-25T10:00:00Z',
    ...(status === 'resolved' && { endsAt: '2026-11-25T10:05:00Z' }),
    generatorURL: 'http://prometheus/graph',
    fingerprint: `fp-${pod}`,
  };
}

const payload = (status: 'firing' | 'resolved', alerts: unknown[]) => ({
  version: '4',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  status,
  receiver: 'watchkeeper',
  groupLabels: { alertname: 'KubePodCrashLooping' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager',
  alerts,
});

describe('webhooks over real HTTP into real PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  let http: HttpServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
    const { intake } = incidentServices(store);
    http = await startHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    http.use(
      createWebhookHandler({
        token,
        defaultCluster: 'prod',
        sink: (f) => intake.ingest(f),
        logger: silentLogger,
      }),
    );
  });
  afterAll(async () => {
    await http.close();
    await store.close();
    await database.drop();
  });

  const post = (path: string, body: unknown, auth = `Bearer ${token}`) =>
    fetch(`${http.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('maps a grouped firing notification to one fault per alert, with the pod as resource', async () => {
    const res = await post(
      '/webhooks/alertmanager',
      payload('firing', [alert('firing', 'api-1'), alert('firing', 'api-2')]),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });
    const stored = await store.faults.get('prod', 'alert-fp-api-1');
    expect(stored?.fault).toMatchObject({
      class: 'Alert',
      severity: 'critical',
      source: { kind: 'alertmanager', name: 'watchkeeper' },
      resource: { kind: 'Pod', namespace: 'shop', name: 'api-1' },
      container: 'app',
      context: { reason: 'KubePodCrashLooping', message: 'Pod shop/api-1 is crash looping' },
      resolved: false,
    });
    expect(JSON.stringify(stored?.fault.raw)).not.toContain('abc123');
    expect(await store.incidents.list()).toHaveLength(2);
  });

  it('treats a resent notification as a replay and a resolved one as the fault clearing', async () => {
    expect((await post('/webhooks/alertmanager', payload('firing', [alert('firing', 'api-1')]))).status).toBe(
      202,
    );
    expect(await store.faults.count()).toBe(2);
    expect(
      (await post('/webhooks/alertmanager', payload('resolved', [alert('resolved', 'api-1')]))).status,
    ).toBe(202);
    expect((await store.faults.get('prod', 'alert-fp-api-1'))?.fault.resolved).toBe(true);
    const resolved = await store.incidents.list({ statuses: ['resolved'] });
    expect(resolved.map((i) => i.primaryResource.name)).toEqual(['api-1']);
  });

  it('accepts the generic JSON format', async () => {
    const res = await post('/webhooks/faults', {
      faults: [
        {
          id: 'disk-full-db-0',
          class: 'VolumeProblem',
          severity: 'high',
          cluster: 'prod',
          resource: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'db', name: 'data-db-0' },
          message: 'volume 97% full',
        },
      ],
    });
    expect(res.status).toBe(202);
    const [incident] = await store.incidents
      .list({ cluster: 'prod', statuses: ['triage_queued'] })
      .then((l) => l.filter((i) => i.primaryResource.name === 'data-db-0'));
    expect(incident?.severity).toBe('high');
  });

  it.each([
    [
      'no token',
      '/webhooks/alertmanager',
      payload('firing', [alert('firing', 'x')]),
      '',
      401,
      /missing bearer token/,
    ],
    [
      'a wrong token',
      '/webhooks/alertmanager',
      payload('firing', [alert('firing', 'x')]),
      'Bearer nope',
      401,
      /wrong bearer token/,
    ],
    ['broken JSON', '/webhooks/alertmanager', '{"version":', undefined, 400, /not valid JSON/],
    [
      'another version',
      '/webhooks/alertmanager',
      { ...payload('firing', [alert('firing', 'x')]), version: '3' },
      undefined,
      400,
      /^version: only version "4"/,
    ],
    [
      'an alert without labels',
      '/webhooks/alertmanager',
      payload('firing', [{ status: 'firing', startsAt: '2026-11-25T10:00:00Z' }]),
      undefined,
      400,
      /^alerts\.0\.labels: /,
    ],
    [
      'a generic fault without a resource',
      '/webhooks/faults',
      { faults: [{ id: 'x' }] },
      undefined,
      400,
      /^faults\.0\.resource: /,
    ],
  ])('refuses %s with a clear error and stores nothing', async (_what, path, body, auth, status, message) => {
    const before = await store.faults.count();
    const res = await post(path, body, auth ?? `Bearer ${token}`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
    expect(await store.faults.count()).toBe(before);
  });

  it('refuses a payload over the size limit', async () => {
    const huge = payload('firing', [alert('firing', 'x', { blob: 'y'.repeat(2_000_000) })]);
    const res = await post('/webhooks/alertmanager', huge);
    expect(res.status).toBe(413);
  });
});
