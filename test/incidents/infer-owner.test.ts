import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferOwners } from '../../core/domain/policies/infer-owner.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { makeFault } from '../fixtures/domain.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { incidentServices } from './incident-harness.ts';

describe('owner inference from controller naming (pure)', () => {
  it.each([
    [
      'a Deployment pod',
      'Pod',
      'nginx-deployment-66b6c48dd5-4jw2p',
      'deployment_pod_name',
      ['ReplicaSet/nginx-deployment-66b6c48dd5', 'Deployment/nginx-deployment'],
    ],
    ['a ReplicaSet', 'ReplicaSet', 'api-7f9c6d8b45', 'replicaset_name', ['Deployment/api']],
    ['a CronJob job', 'Job', 'nightly-backup-29407680', 'cronjob_job_name', ['CronJob/nightly-backup']],
    [
      'a CronJob pod',
      'Pod',
      'nightly-backup-29407680-x7k2p',
      'cronjob_pod_name',
      ['Job/nightly-backup-29407680', 'CronJob/nightly-backup'],
    ],
  ])('%s: %s %s', (_what, kind, name, rule, owners) => {
    const inferred = inferOwners({ kind, name });
    expect(inferred?.rule).toBe(rule);
    expect(inferred?.owners.map((o) => `${o.kind}/${o.name}`)).toEqual(owners);
  });

  it.each([
    ['a Job or DaemonSet pod (ambiguous)', 'Pod', 'fluentd-x7k2p'],
    ['a StatefulSet pod or a hand-named one (ambiguous)', 'Pod', 'debug-1'],
    ['a plain name with dashes', 'Pod', 'api-server'],
    ['words that look like a hash but have vowels', 'Pod', 'checkout-7d9f-abcde'],
    ['a hash with no digit', 'Pod', 'web-bcdfghjk-x7k2p'],
    ['a short number on a Job', 'Job', 'migrate-42'],
    ['a Node', 'Node', 'node-66b6c48dd5-4jw2p'],
  ])('claims nothing for %s: %s %s', (_what, kind, name) => {
    expect(inferOwners({ kind, name })).toBeUndefined();
  });
});

describe('intake infers owners only for faults that came without them (real PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: OpenedStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: 'postgres', url: database.url });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const ownerless = (name: string) =>
    makeFault({
      faultId: `mcp-${name}`,
      source: { kind: 'mcp', name: 'fork' },
      resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name, uid: `uid-${name}` },
      context: { reason: 'CrashLoopBackOff' },
    });

  it('folds the owner-less pods of one Deployment into one incident and records the rule', async () => {
    const { intake } = incidentServices(store);
    const outcomes = [];
    for (const name of ['cart-5d8f9c7b64-4jw2p', 'cart-5d8f9c7b64-9xz7q', 'cart-5d8f9c7b64-mn2kt'])
      outcomes.push(await intake.ingest(ownerless(name)));
    expect(outcomes.map((o) => o.kind)).toEqual(['opened', 'joined', 'joined']);
    expect(outcomes[1]?.message).toMatch(/a pod of the same workload \(owner inferred from the pod name/);
    const incidents = await store.incidents.list();
    expect(incidents.map((i) => [i.fingerprint, i.faultCount])).toEqual([
      ['workload:Deployment/shop/cart', 3],
    ]);
    const stored = await store.faults.get('prod-eu', 'mcp-cart-5d8f9c7b64-4jw2p');
    expect(stored?.fault.context).toMatchObject({
      ownersInferredBy: 'deployment_pod_name',
      owners: [
        { kind: 'ReplicaSet', name: 'cart-5d8f9c7b64' },
        { kind: 'Deployment', name: 'cart' },
      ],
    });
  });

  it('keeps the owners a source sent, however the pod is named', async () => {
    const { intake } = incidentServices(store);
    const fault = {
      ...ownerless('cart-5d8f9c7b64-zz9zz'),
      faultId: 'sent-owners',
      context: { owners: [{ kind: 'StatefulSet', name: 'other' }] },
    };
    expect(await intake.ingest(fault)).toMatchObject({ kind: 'opened' });
    expect(
      (await store.faults.get('prod-eu', 'sent-owners'))?.fault.context.ownersInferredBy,
    ).toBeUndefined();
  });
});
