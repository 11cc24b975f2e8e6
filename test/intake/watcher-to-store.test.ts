/** End to end on the embedded default: the watcher inside `watchkeeper start` sees a crash and stores an incident. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/store/open-store.ts';
import { startCli } from '../cli/run-cli.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createGhostPod, podStatus, setPodStatus } from './cluster-objects.ts';

describe('watchkeeper start with the Kubernetes watcher', () => {
  let cwd: string;
  let client: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-watch-'));
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'e2e');
  });
  afterAll(async () => {
    await deleteNamespace(client, namespace);
    await client.core.deleteNode({ name: `ghost-${namespace}` }).catch(() => undefined);
    await rm(cwd, { recursive: true, force: true });
  });

  it('turns a crash-looping pod into a stored fault and a queued incident', async () => {
    await writeFile(
      join(cwd, 'watchkeeper.yaml'),
      [
        'cluster: harness',
        'server: { port: 0 }',
        'watcher:',
        `  kubeconfig: ${harness('kube').kubeconfigPath}`,
        `  namespaces: { include: [${namespace}] }`,
      ].join('\n'),
    );
    const cli = startCli(['--config', 'watchkeeper.yaml', 'start'], { cwd });
    await cli.waitForLine(/watching .* as cluster harness/);
    // A node of its own, fresh, so no NotReady node (which would take the pod's fault in) interferes.
    const node = `ghost-${namespace}`;
    await createGhostPod(client, namespace, 'checkout', {}, node);
    await setPodStatus(client, namespace, 'checkout', podStatus.crashLooping());
    const opened = await cli.waitForLine(/incident opened: .*checkout/);
    expect(JSON.parse(opened)).toMatchObject({
      class: 'CrashLoopBackOff',
      fingerprint: `resource:Pod/${namespace}/checkout`,
    });
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);

    const store = await openStore({ kind: 'pglite', dataDir: join(cwd, '.watchkeeper', 'db') });
    try {
      // Other nodes of the shared test cluster may be NotReady: only this pod's incident is looked at.
      const incident = await store.incidents.findOpenByFingerprint(
        'harness',
        `resource:Pod/${namespace}/checkout`,
      );
      expect(incident).toMatchObject({ state: { status: 'triage_queued' }, faultCount: 1 });
      const members = incident ? await store.incidents.members(incident.id) : [];
      const stored = await store.faults.get('harness', members[0]?.faultId ?? '');
      expect(stored?.fault).toMatchObject({
        class: 'CrashLoopBackOff',
        resource: { name: 'checkout', namespace },
      });
    } finally {
      await store.close();
    }
  });
});
