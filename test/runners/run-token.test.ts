import { readFile } from 'node:fs/promises';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessSummary, formatAccess } from '../../runners/tokens/access-summary.ts';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken } from '../../runners/tokens/run-token.ts';
import { applyManifests, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { until } from '../fixtures/until.ts';

const settings = { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' };

async function status(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

describe('per-run credentials minted with TokenRequest (real apiserver)', () => {
  let admin: KubeClient;

  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    const rbac = await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8');
    await applyManifests(admin, [rbac]);
  });

  function asRun(kubeconfigYaml: string): CoreV1Api {
    const config = new KubeConfig();
    config.loadFromString(kubeconfigYaml);
    return config.makeApiClient(CoreV1Api);
  }

  it('can read pods and events, cannot read Secrets or change anything, and dies when the run ends', async () => {
    const deadline = new Date(Date.now() + 15 * 60_000);
    const token = await mintRunToken(admin.config, settings, {
      id: `t-${Date.now()}`,
      deadline,
      marginSeconds: 120,
    });
    const expectedExpiry = deadline.getTime() + 120_000;
    expect(Math.abs(token.expiresAt.getTime() - expectedExpiry)).toBeLessThan(5_000);

    const kubeconfig = runKubeconfig(admin.config, token.token);
    const core = asRun(kubeconfig);
    expect(await status(() => core.listPodForAllNamespaces())).toBe(200);
    expect(await status(() => core.listEventForAllNamespaces())).toBe(200);
    expect(await status(() => core.listNamespacedSecret({ namespace: 'watchkeeper-system' }))).toBe(403);
    expect(
      await status(() => core.readNamespacedSecret({ namespace: 'watchkeeper-system', name: 'x' })),
    ).toBe(403);
    expect(
      await status(() =>
        core.createNamespacedPod({
          namespace: 'default',
          body: { metadata: { name: 'evil' }, spec: { containers: [{ name: 'x', image: 'x' }] } },
        }),
      ),
    ).toBe(403);
    expect(await status(() => core.deleteNamespacedPod({ namespace: 'default', name: 'anything' }))).toBe(
      403,
    );

    const summary = formatAccess(await accessSummary(kubeconfig));
    expect(summary).toMatch(
      /^can: list pods, get pods\/log, list events, list nodes, list configmaps, list deployments\.apps, list jobs\.batch, list horizontalpodautoscalers\.autoscaling, list ingresses\.networking\.k8s\.io, list validatingwebhookconfigurations\.admissionregistration\.k8s\.io, list customresourcedefinitions\.apiextensions\.k8s\.io, list rolebindings\.rbac\.authorization\.k8s\.io$/m,
    );
    expect(summary).toMatch(
      /^cannot: get secrets, create pods\/exec, list pods\.metrics\.k8s\.io, create pods, delete pods, patch deployments\.apps$/m,
    );

    await token.revoke();
    // The apiserver checks the bound Secret through its informer cache: dead within moments, not at expiry.
    const revokedAt = Date.now();
    await until(
      'the token is refused',
      async () => (await status(() => core.listPodForAllNamespaces())) === 401,
      15_000,
    );
    expect(Date.now() - revokedAt).toBeLessThan(15_000);
  });

  it('never mints for less than the apiserver minimum of ten minutes', async () => {
    const token = await mintRunToken(admin.config, settings, {
      id: `short-${Date.now()}`,
      deadline: new Date(Date.now() + 1_000),
    });
    try {
      expect(token.expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
    } finally {
      await token.revoke();
    }
  });
});
