/**
 * deploy/network-policy/triage-run-egress.yaml: the real kube-apiserver accepts it (server-side dry run, so every
 * field is validated by the API's own schema), it selects the pods of the Jobs Watchkeeper creates, and it opens
 * only what a run needs. (The harness's bridge CNI does not enforce NetworkPolicy; README.md there lists which do.)
 */
import { readFile } from 'node:fs/promises';
import { NetworkingV1Api, type V1NetworkPolicy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jobObjects } from '../../runners/job/job-spec.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';

const manifest = async () =>
  parse(
    await readFile(new URL('../../deploy/network-policy/triage-run-egress.yaml', import.meta.url), 'utf8'),
  ) as V1NetworkPolicy;

describe('the egress NetworkPolicy for triage run pods', () => {
  let admin: KubeClient;
  let namespace: string;
  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(admin, 'jobs-netpol');
  });
  afterAll(() => deleteNamespace(admin, namespace));

  it('is accepted by the apiserver in a server-side dry run, and nothing is stored', async () => {
    const policy = await manifest();
    const api = admin.config.makeApiClient(NetworkingV1Api);
    const body: V1NetworkPolicy = parse(JSON.stringify(policy)) as V1NetworkPolicy;
    body.metadata = Object.assign({}, policy.metadata, { namespace });
    const answered = await api.createNamespacedNetworkPolicy({ namespace, body, dryRun: 'All' });
    expect(answered.metadata?.name).toBe(policy.metadata?.name);
    expect(answered.spec?.egress?.length).toBe(policy.spec?.egress?.length);
    expect((await api.listNamespacedNetworkPolicy({ namespace })).items).toEqual([]);
  });

  it('selects the pods of the Jobs Watchkeeper creates, in the runs namespace', async () => {
    const policy = await manifest();
    expect(policy.metadata?.namespace).toBe('watchkeeper-runs');
    const { job } = jobObjects({
      name: 'wk-run-x',
      namespace: 'watchkeeper-runs',
      runId: 'x',
      incidentId: 'i',
      image: 'watchkeeper-agent',
      deadlineSeconds: 60,
      ttlSeconds: 60,
      resources: { cpu: '1', memory: '1Gi' },
      inputs: {},
      secretFiles: {},
    });
    const podLabels = job.spec?.template.metadata?.labels ?? {};
    const wanted = policy.spec?.podSelector?.matchLabels ?? {};
    expect(Object.keys(wanted).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(wanted)) expect(podLabels[key], key).toBe(value);
  });

  it('allows no ingress and only DNS, the API, NATS, S3 and the model endpoint out, each on its ports', async () => {
    const spec = (await manifest()).spec;
    expect(spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec?.ingress).toEqual([]);
    const egress = spec?.egress ?? [];
    // No rule without destinations or without ports: either would open everything of that kind.
    for (const rule of egress) {
      expect(rule.to?.length).toBeGreaterThan(0);
      expect(rule.ports?.length).toBeGreaterThan(0);
      for (const peer of rule.to ?? []) {
        expect(peer.ipBlock?.cidr ?? '').not.toMatch(/^0\.0\.0\.0\/0$|^::\/0$/);
      }
    }
    const ports = egress.map((rule) =>
      (rule.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${String(p.port)}`),
    );
    expect(ports).toEqual([
      ['UDP/53', 'TCP/53'],
      ['TCP/6443', 'TCP/443'],
      ['TCP/4222'],
      ['TCP/443'],
      ['TCP/443'],
    ]);
  });
});
