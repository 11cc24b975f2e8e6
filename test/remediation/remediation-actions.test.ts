/**
 * Remediation actions against the harness cluster: a server-side dry run shows what would change and changes
 * nothing; the execution credential can do exactly the approved action and nothing else (asserted against the
 * apiserver: other Deployments, other namespaces, pods and nodes are refused); the action runs with it, and
 * verification sees the rollout complete (kwok runs the new pods).
 */
import { readFile } from 'node:fs/promises';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemediationAction } from '../../core/domain/remediation.ts';
import { mergePermissions } from '../../runners/remediation/action-permissions.ts';
import { applyAction } from '../../runners/remediation/apply-action.ts';
import { mintExecutionCredential } from '../../runners/remediation/execution-credentials.ts';
import { diffObjects, formatChanges } from '../../runners/remediation/object-diff.ts';
import { verifyAction } from '../../runners/remediation/verify-action.ts';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createDeployment } from './deployments.ts';

const restart = (namespace: string, name = 'checkout'): RemediationAction => ({
  type: 'rollout_restart',
  target: { kind: 'Deployment', namespace, name },
  rationale: 'pick up the fixed configuration',
  risk: 'pods restart one by one',
});

/** What the apiserver answers `call` with: 'ok', or the HTTP status of the refusal. */
async function outcome(call: () => Promise<unknown>): Promise<'ok' | number> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

describe('remediation actions on a real apiserver', () => {
  let client: KubeClient;
  let namespace: string;
  let elsewhere: string;

  beforeAll(async () => {
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'remedy');
    elsewhere = await createNamespace(client, 'remedy-other');
    await createDeployment(client, namespace, 'checkout');
    await createDeployment(client, namespace, 'payments');
    await createDeployment(client, elsewhere, 'checkout');
  });
  afterAll(async () => {
    await deleteNamespace(client, namespace);
    await deleteNamespace(client, elsewhere);
  });

  it('a dry run shows the change and stores nothing', async () => {
    const before = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
    const applied = await applyAction(client.config, restart(namespace), {
      dryRun: true,
      now: new Date('2026-11-25T12:00:00Z'),
    });
    const changes = diffObjects(applied.before, applied.after);
    expect(formatChanges(changes)).toBe(
      'spec.template.metadata.annotations: (none) → {"kubectl.kubernetes.io/restartedAt":"2026-11-25T12:00:00.000Z"}',
    );
    const after = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec?.template.metadata?.annotations).toBeUndefined();
  });

  it('the execution token can restart this Deployment and do nothing else; verification sees the rollout', async () => {
    const action = restart(namespace);
    const credential = await mintExecutionCredential(client.config, {
      id: 'test-restart-1',
      permissions: mergePermissions([action]),
      homeNamespace: namespace,
    });
    try {
      expect(credential.username).toBe(`system:serviceaccount:${namespace}:wk-remediate-test-restart-1`);
      const scoped = new KubeConfig();
      scoped.loadFromString(runKubeconfig(client.config, credential.token));
      const apps = scoped.makeApiClient(AppsV1Api);
      const core = scoped.makeApiClient(CoreV1Api);
      const patch = (ns: string, name: string) => () =>
        applyAction(scoped, restart(ns, name), { dryRun: true });
      // refused: another Deployment here, the same name elsewhere, pods, nodes, deleting the target
      expect(await outcome(patch(namespace, 'payments'))).toBe(403);
      expect(await outcome(patch(elsewhere, 'checkout'))).toBe(403);
      expect(await outcome(() => core.listNamespacedPod({ namespace }))).toBe(403);
      expect(await outcome(() => core.listNode())).toBe(403);
      expect(await outcome(() => apps.deleteNamespacedDeployment({ namespace, name: 'checkout' }))).toBe(403);
      expect(await outcome(() => apps.listNamespacedDeployment({ namespace }))).toBe(403);

      const before = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
      await applyAction(scoped, action, { dryRun: false });
      const verified = await verifyAction(client.config, action, { timeoutMs: 60_000 });
      expect(verified, verified.detail).toMatchObject({ ok: true });
      const after = await client.apps.readNamespacedDeployment({ namespace, name: 'checkout' });
      expect(after.metadata?.generation).toBeGreaterThan(before.metadata?.generation ?? 0);
      expect(after.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    } finally {
      await credential.revoke();
    }
    const leftovers = await client.core.listNamespacedServiceAccount({
      namespace,
      labelSelector: 'app.kubernetes.io/managed-by=watchkeeper',
    });
    expect(leftovers.items).toHaveLength(0);
  }, 90_000);

  it('Watchkeeper needs no more than deploy/rbac/remediation-granter.yaml to mint an execution credential', async () => {
    await applyManifests(client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
      await readFile(new URL('../../deploy/rbac/remediation-granter.yaml', import.meta.url), 'utf8'),
    ]);
    const issued = await client.core.createNamespacedServiceAccountToken({
      name: 'watchkeeper',
      namespace: 'watchkeeper-system',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asWatchkeeper = new KubeConfig();
    asWatchkeeper.loadFromString(runKubeconfig(client.config, issued.status?.token ?? ''));
    const action = restart(namespace);
    const dry = await applyAction(asWatchkeeper, action, { dryRun: true });
    expect(diffObjects(dry.before, dry.after)).toHaveLength(1);
    const credential = await mintExecutionCredential(asWatchkeeper, {
      id: 'granter-check',
      permissions: mergePermissions([action]),
      homeNamespace: namespace,
    });
    await credential.revoke();
    const cordon = await mintExecutionCredential(asWatchkeeper, {
      id: 'granter-node',
      permissions: mergePermissions([
        { type: 'cordon_node', target: { kind: 'Node', name: 'kwok-node-0' }, rationale: 'x', risk: 'y' },
      ]),
      homeNamespace: 'watchkeeper-system',
    });
    await cordon.revoke();
  });

  /** Each action runs with a credential minted for it alone, and verification sees it take effect. */
  async function runScoped(action: RemediationAction, id: string): Promise<void> {
    const credential = await mintExecutionCredential(client.config, {
      id,
      permissions: mergePermissions([action]),
      homeNamespace: namespace,
    });
    try {
      const scoped = new KubeConfig();
      scoped.loadFromString(runKubeconfig(client.config, credential.token));
      await applyAction(scoped, action, { dryRun: false });
    } finally {
      await credential.revoke();
    }
    const verified = await verifyAction(client.config, action, { timeoutMs: 60_000 });
    expect(verified, verified.detail).toMatchObject({ ok: true });
  }

  it('every action type runs with its own scoped credential and is verified', async () => {
    const common = { rationale: 'r', risk: 'k' };
    const workload = { kind: 'Deployment' as const, namespace, name: 'payments' };
    await runScoped({ type: 'scale', target: workload, replicas: 3, ...common }, 'scale');
    expect(
      (await client.apps.readNamespacedDeployment({ namespace, name: 'payments' })).status?.readyReplicas,
    ).toBe(3);

    await runScoped(
      { type: 'set_image', target: workload, container: 'app', image: 'registry.example/app:2', ...common },
      'image',
    );
    await runScoped(
      {
        type: 'patch',
        target: workload,
        patchType: 'strategic-merge',
        patch: {
          spec: {
            template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '512Mi' } } }] } },
          },
        },
        ...common,
      },
      'patch',
    );
    const patched = await client.apps.readNamespacedDeployment({ namespace, name: 'payments' });
    expect(patched.spec?.template.spec?.containers[0]).toMatchObject({
      image: 'registry.example/app:2',
      resources: { limits: { memory: '512Mi' } },
    });

    await runScoped({ type: 'rollback_deployment', target: workload, revision: 1, ...common }, 'rollback');
    const rolledBack = await client.apps.readNamespacedDeployment({ namespace, name: 'payments' });
    expect(rolledBack.spec?.template.spec?.containers[0]?.image).toBe('registry.example/app:1');

    const pod = (await client.core.listNamespacedPod({ namespace, labelSelector: 'app=payments' })).items[0];
    const podName = pod?.metadata?.name ?? '';
    await runScoped(
      { type: 'delete_pod', target: { kind: 'Pod', namespace, name: podName }, ...common },
      'pod',
    );

    const node = `remedy-node-${namespace}`;
    await client.core.createNode({ body: { metadata: { name: node } } });
    try {
      await runScoped({ type: 'cordon_node', target: { kind: 'Node', name: node }, ...common }, 'cordon');
      expect((await client.core.readNode({ name: node })).spec?.unschedulable).toBe(true);
      await runScoped({ type: 'uncordon_node', target: { kind: 'Node', name: node }, ...common }, 'uncordon');
    } finally {
      await client.core.deleteNode({ name: node });
    }
  }, 120_000);

  it('refuses a patch outside resources, env and probes before touching the cluster', async () => {
    const action: RemediationAction = {
      type: 'patch',
      target: { kind: 'Deployment', namespace, name: 'checkout' },
      patchType: 'strategic-merge',
      patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'evil/miner:1' }] } } } },
      rationale: 'x',
      risk: 'y',
    };
    await expect(applyAction(client.config, action, { dryRun: true })).rejects.toThrow(
      /refused patch: container 0: only resources, env and probes may change, not image/,
    );
  });
});
