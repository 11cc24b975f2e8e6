/**
 * The router on real containers: on the harness's real node (kubelet + containerd), a container that crashes,
 * one the kernel kills for memory, and one whose image cannot be pulled (a loopback "registry" nobody listens
 * on). The kubelet writes the statuses, events and previous logs itself; the scripted agent follows the router's
 * first reads with a minted triage token and must see what decides each fault, then write a report that
 * validates and have its broken variants caught (router-agent.ts).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken } from '../../runners/tokens/run-token.ts';
import { until } from '../fixtures/until.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import { freePort } from '../harness/process.ts';
import { faultyContainers, realDeployment, realPod, type RealNode } from '../harness/real-node-helpers.ts';
import { harness } from '../harness/use.ts';
import { followRouter, readCookbook, readRouter, type RouterRow, type Scenario } from './router-agent.ts';

describe('the router on real containers (the real node)', () => {
  let admin: KubeClient;
  let node: RealNode;
  let dir: string;
  let namespace: string;
  let env: Record<string, string>;
  let router: Map<string, RouterRow>;
  let cookbook: Map<string, Record<string, unknown>>;

  /** What the kubelet must have reported before the agent looks, per pod. */
  async function podReached(name: string, what: string, check: (c: V1ContainerState) => boolean) {
    await until(
      `${name}: ${what}`,
      async () => {
        const pod = await admin.core.readNamespacedPod({ namespace, name });
        return (pod.status?.containerStatuses ?? []).some((status) =>
          check({ waiting: status.state?.waiting?.reason, last: status.lastState?.terminated?.reason }),
        );
      },
      120_000,
      500,
    );
  }
  interface V1ContainerState {
    readonly waiting?: string | undefined;
    readonly last?: string | undefined;
  }

  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    node = harness('node');
    router = await readRouter();
    cookbook = await readCookbook();
    dir = await mkdtemp(join(tmpdir(), 'wk-router-real-'));
    await applyManifests(admin, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    const token = await mintRunToken(
      admin.config,
      { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
      { id: `router-real-${Date.now()}`, deadline: new Date(Date.now() + 10 * 60_000) },
    );
    await writeFile(join(dir, 'kubeconfig'), runKubeconfig(admin.config, token.token), { mode: 0o600 });
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
    namespace = await createNamespace(admin, 'router-real');
    const pods: [string, V1Container][] = [
      ['crasher', faultyContainers.crashLoop(node)],
      ['hog', faultyContainers.oomKilled(node)],
      ['unpullable', faultyContainers.imagePull(await freePort())],
    ];
    for (const [name, container] of pods)
      await admin.core.createNamespacedPod({ namespace, body: realPod(node, name, container) });
    // The workload a pod fault's second read looks at (its rollout history and template).
    await admin.apps.createNamespacedDeployment({
      namespace,
      body: realDeployment(node, 'shop', 1, { name: 'app', image: node.images.healthy }),
    });
    await podReached('crasher', 'CrashLoopBackOff after an Error', (s) => s.waiting === 'CrashLoopBackOff');
    await podReached('hog', 'OOMKilled', (s) => s.last === 'OOMKilled');
    await podReached('unpullable', 'ErrImagePull or ImagePullBackOff', (s) =>
      ['ErrImagePull', 'ImagePullBackOff'].includes(s.waiting ?? ''),
    );
  }, 240_000);

  afterAll(async () => {
    await deleteNamespace(admin, namespace);
    await rm(dir, { recursive: true, force: true });
  });

  const scenarios = (): Scenario[] => [
    {
      class: 'CrashLoopBackOff',
      row: 'CrashLoopBackOff',
      names: { POD: 'crasher', D: 'shop' },
      // The termination the kubelet recorded and the previous run's own last words (it runs again now).
      decisive: /terminated Error exitCode=1[\s\S]*previous run[\s\S]*exiting with code 1/,
    },
    {
      class: 'OOMKilled',
      row: 'OOMKilled',
      names: { POD: 'hog', D: 'shop' },
      decisive: /OOMKilled[\s\S]*137|137[\s\S]*OOMKilled/,
    },
    {
      class: 'ImagePullBackOff',
      row: 'ImagePullBackOff',
      names: { POD: 'unpullable', D: 'shop' },
      decisive: /connection refused/,
    },
  ];

  it.each(scenarios().map((s) => [s.class, s] as const))(
    '%s: the first look shows what the kubelet said; the report validates; broken ones are caught',
    async (_name, scenario) => {
      await followRouter(scenario, { NS: namespace, ...scenario.names }, env, router, cookbook, dir);
    },
    120_000,
  );
});
