/**
 * The real node itself: containers run and their logs come back through the apiserver (the kubelet client
 * flags on loopback), the kernel enforces a pod's limits, and the kubelet left the host's packet filter alone.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../fixtures/until.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { readState } from '../harness/process.ts';
import { faultyContainers, realPod } from '../harness/real-node-helpers.ts';
import { dynamicsEnv } from './env.ts';

const run = promisify(execFile);

describe('the harness real node', () => {
  const env = dynamicsEnv();
  let client: KubeClient;
  let namespace: string;
  beforeAll(async () => {
    client = kubeClient(env.kubeconfigPath);
    namespace = await createNamespace(client, 'realnode');
  });
  afterAll(() => deleteNamespace(client, namespace));

  it(
    'runs a container to completion and serves its log through the apiserver',
    { timeout: 60_000 },
    async () => {
      const container = { name: 'app', image: env.node.images.base, args: ['exit', '0'] };
      await client.core.createNamespacedPod({
        namespace,
        body: realPod(env.node, 'hello', container, { restartPolicy: 'Never' }),
      });
      await until(
        'pod Succeeded',
        async () =>
          (await client.core.readNamespacedPod({ name: 'hello', namespace })).status?.phase === 'Succeeded',
        45_000,
        500,
      );
      const read = await client.core.readNamespacedPod({ name: 'hello', namespace });
      expect(read.spec?.nodeName).toBe(env.node.name);
      const log = await client.core.readNamespacedPodLog({ name: 'hello', namespace });
      expect(log).toContain('wk: starting; exiting with code 0');
    },
  );

  it(
    'has the kernel kill a container past its memory limit (OOMKilled, exit 137)',
    { timeout: 60_000 },
    async () => {
      await client.core.createNamespacedPod({
        namespace,
        body: realPod(env.node, 'hog', faultyContainers.oomKilled(env.node)),
      });
      await until(
        'OOMKilled',
        async () => {
          const status = (await client.core.readNamespacedPod({ name: 'hog', namespace })).status;
          const c = status?.containerStatuses?.[0];
          return (c?.lastState?.terminated ?? c?.state?.terminated)?.reason === 'OOMKilled';
        },
        45_000,
        500,
      );
      const c = (await client.core.readNamespacedPod({ name: 'hog', namespace })).status
        ?.containerStatuses?.[0];
      expect((c?.lastState?.terminated ?? c?.state?.terminated)?.exitCode).toBe(137);
    },
  );

  it('keeps the kubelet away from the packet filter: no iptables on its PATH, no KUBE- rules', async () => {
    const state = await readState<{ pids: number[]; dir: string }>('node');
    const kubeletPid = state?.pids[1];
    expect(kubeletPid).toBeDefined();
    const environ = readFileSync(`/proc/${String(kubeletPid)}/environ`, 'utf8').split('\0');
    const path = environ.find((e) => e.startsWith('PATH='))?.slice(5) ?? '';
    for (const folder of path.split(':')) {
      for (const tool of ['iptables', 'ip6tables', 'nft']) {
        expect(() => readFileSync(join(folder, tool)), `${tool} in ${folder}`).toThrow();
      }
    }
    const rules = await run('iptables', ['-S']).then(
      (r) => r.stdout,
      () => '',
    );
    expect(rules).not.toContain('KUBE-');
    const tables = await run('nft', ['list', 'tables']).then(
      (r) => r.stdout,
      () => '',
    );
    expect(tables).not.toMatch(/kube/i);
  });
});
