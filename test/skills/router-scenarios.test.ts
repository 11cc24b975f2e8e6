/**
 * One scenario per fault class the watchers emit, on the harness cluster: the fault's objects are made (ghost
 * pods with the kubelet's statuses; the real scheduler, Job and Deployment controllers where they decide the
 * fault), and a scripted agent follows the skill's router as an agent reads it: it takes the class's "first
 * reads" from SKILL.md, runs them with a minted triage token (one or two script calls, each must succeed and show
 * what decides the fault), writes a report with the class's typical actions and the rest of the cookbook, and
 * runs check-report: the report validates as the server's parser says, and each broken variant is caught first.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultClass } from '../../core/domain/fault.ts';
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
import { harness } from '../harness/use.ts';
import { createGhostPod, podStatus, retryOnConflict, setPodStatus } from '../intake/cluster-objects.ts';
import {
  followRouter,
  readCookbook,
  readRouter,
  skill,
  type RouterRow,
  type Scenario,
} from './router-agent.ts';

describe('each fault class, triaged by a scripted agent following the router', () => {
  let admin: KubeClient;
  let dir: string;
  let namespace: string;
  let env: Record<string, string>;
  let router: Map<string, RouterRow>;
  let cookbook: Map<string, Record<string, unknown>>;
  const ghost = () => `ghost-${namespace}`;
  const pressured = () => `pressured-${namespace}`;
  const nowhere = { 'watchkeeper.test/nowhere': 'true' };

  async function ghostPod(
    name: string,
    status: NonNullable<V1Pod['status']>,
    spec: Partial<V1Pod['spec']> = {},
  ) {
    await createGhostPod(admin, namespace, name, {}, ghost());
    if (Object.keys(spec).length > 0) {
      await admin.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
      await until(`${name} deleted`, async () =>
        admin.core.readNamespacedPod({ namespace, name }).then(
          () => false,
          () => true,
        ),
      );
      await admin.core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name, labels: { app: name } },
          spec: {
            nodeName: ghost(),
            containers: [{ name: 'app', image: 'registry.example/app:1' }],
            ...spec,
          },
        },
      });
    }
    await setPodStatus(admin, namespace, name, status);
  }

  async function setNodeConditions(
    name: string,
    conditions: { type: string; status: string; reason: string; message: string }[],
  ) {
    await retryOnConflict(async () => {
      const node = await admin.core.readNode({ name });
      const now = new Date();
      await admin.core.replaceNodeStatus({
        name,
        body: {
          ...node,
          status: {
            addresses: node.status?.addresses ?? [],
            conditions: conditions.map((c) => ({ ...c, lastHeartbeatTime: now, lastTransitionTime: now })),
            allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
            capacity: { cpu: '4', memory: '16Gi', pods: '110' },
          },
        },
      });
    });
  }

  const pressure = () =>
    setNodeConditions(pressured(), [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      {
        type: 'MemoryPressure',
        status: 'True',
        reason: 'KubeletHasInsufficientMemory',
        message: 'kubelet has insufficient memory available',
      },
    ]);

  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    router = await readRouter();
    cookbook = await readCookbook();
    dir = await mkdtemp(join(tmpdir(), 'wk-router-'));
    await applyManifests(admin, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    const token = await mintRunToken(
      admin.config,
      { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
      { id: `router-${Date.now()}`, deadline: new Date(Date.now() + 10 * 60_000) },
    );
    await writeFile(join(dir, 'kubeconfig'), runKubeconfig(admin.config, token.token), { mode: 0o600 });
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
    namespace = await createNamespace(admin, 'router');

    // Pods whose fault is the kubelet's to report: ghost pods with the statuses it would write.
    await ghostPod('crashing', podStatus.crashLooping(1, 'Error', 'panic: missing DATABASE_URL'));
    await ghostPod('oom', podStatus.crashLooping(137, 'OOMKilled', ''), {
      containers: [
        { name: 'app', image: 'registry.example/app:1', resources: { limits: { memory: '64Mi' } } },
      ],
    });
    await ghostPod('exits', podStatus.exitedWithError());
    await ghostPod(
      'pull',
      podStatus.waiting(
        'ImagePullBackOff',
        'Back-off pulling image "registry.example/app:9.9.9": manifest unknown',
      ),
    );
    await ghostPod(
      'config',
      podStatus.waiting('CreateContainerConfigError', 'configmap "checkout-config" not found'),
      {
        containers: [
          {
            name: 'app',
            image: 'registry.example/app:1',
            envFrom: [{ configMapRef: { name: 'checkout-config' } }],
          },
        ],
      },
    );
    await ghostPod('probe', podStatus.running(), {
      containers: [
        {
          name: 'app',
          image: 'registry.example/app:1',
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, timeoutSeconds: 1 },
        },
      ],
    });
    await admin.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: 'probe.unhealthy' },
        involvedObject: { kind: 'Pod', namespace, name: 'probe', apiVersion: 'v1' },
        reason: 'Unhealthy',
        message: 'Liveness probe failed: Get "http://10.0.0.9:8080/healthz": context deadline exceeded',
        type: 'Warning',
        count: 7,
        firstTimestamp: new Date(),
        lastTimestamp: new Date(),
        source: { component: 'kubelet', host: ghost() },
      },
    });
    await ghostPod('evicted', podStatus.evicted());

    // Faults the control plane decides itself: the real scheduler and controllers run on the harness.
    await admin.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'pending', labels: { app: 'pending' } },
        spec: { nodeSelector: nowhere, containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      },
    });
    // A claim no volume can bind (no storage class, no PV): the pod that mounts it cannot be scheduled.
    await admin.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: '',
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    await admin.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'volume', labels: { app: 'volume' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example/app:1',
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    });
    await admin.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'nightly' },
        spec: {
          activeDeadlineSeconds: 1,
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              nodeSelector: nowhere,
              containers: [{ name: 'job', image: 'registry.example/job:1' }],
            },
          },
        },
      },
    });
    // `shop` is the workload whose rollout the pod faults' second read looks at; the others fail their rollout.
    for (const [name, replicas] of [
      ['shop', 1],
      ['rollout', 1],
      ['unavailable', 2],
    ] as const)
      await admin.apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name },
          spec: {
            replicas,
            progressDeadlineSeconds: name === 'shop' ? 600 : 1,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: {
                nodeSelector: nowhere,
                containers: [{ name: 'app', image: `registry.example/${name}:2` }],
              },
            },
          },
        },
      });

    // Nodes: the ghost one stops reporting, another is under memory pressure.
    await admin.core.createNode({ body: { metadata: { name: pressured() } } });
    await setNodeConditions(ghost(), [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      },
    ]);
    await pressure();

    // What the controllers must have said before the agent looks.
    await until(
      'the Job failed',
      async () =>
        (await admin.batch.readNamespacedJob({ namespace, name: 'nightly' })).status?.conditions?.some(
          (c) => c.type === 'Failed' && c.status === 'True',
        ) ?? false,
      60_000,
      500,
    );
    await until(
      'the rollout passed its deadline',
      async () =>
        (await admin.apps.readNamespacedDeployment({ namespace, name: 'rollout' })).status?.conditions?.some(
          (c) => c.reason === 'ProgressDeadlineExceeded',
        ) ?? false,
      60_000,
      500,
    );
    await until(
      'the scheduler gave up on the pending and volume pods',
      async () => {
        const events = await admin.core.listNamespacedEvent({ namespace });
        const failed = events.items.filter((e) => e.reason === 'FailedScheduling');
        return ['pending', 'volume'].every((pod) => failed.some((e) => e.involvedObject.name === pod));
      },
      60_000,
      500,
    );
  }, 180_000);

  afterAll(async () => {
    await deleteNamespace(admin, namespace);
    for (const name of [ghost(), pressured()]) await admin.core.deleteNode({ name }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  const scenarios = (): Scenario[] => [
    {
      class: 'CrashLoopBackOff',
      row: 'CrashLoopBackOff',
      names: { POD: 'crashing', D: 'shop' },
      decisive: /panic: missing DATABASE_URL/,
    },
    {
      class: 'OOMKilled',
      row: 'OOMKilled',
      names: { POD: 'oom', D: 'shop' },
      decisive: /OOMKilled[\s\S]*64Mi|64Mi[\s\S]*OOMKilled/,
    },
    {
      class: 'ContainerErrorExit',
      row: 'ContainerErrorExit',
      names: { POD: 'exits' },
      decisive: /config parse error/,
    },
    {
      class: 'ImagePullBackOff',
      row: 'ImagePullBackOff',
      names: { POD: 'pull', D: 'shop' },
      decisive: /manifest unknown/,
    },
    {
      class: 'ContainerConfigError',
      row: 'ContainerConfigError',
      names: { POD: 'config' },
      decisive: /checkout-config[\s\S]*MISSING|MISSING[\s\S]*checkout-config/,
    },
    {
      class: 'ProbeFailure',
      row: 'ProbeFailure',
      names: { POD: 'probe' },
      decisive: /Liveness probe failed[\s\S]*deadline exceeded/,
    },
    {
      class: 'Unschedulable',
      row: 'Unschedulable',
      names: { POD: 'pending' },
      decisive: /didn't match Pod's node affinity\/selector|node affinity/,
    },
    { class: 'Evicted', row: 'Evicted', names: { POD: 'evicted' }, decisive: /low on resource: memory/ },
    {
      class: 'NodeNotReady',
      row: 'NodeNotReady',
      names: { N: '' },
      decisive: /Kubelet stopped posting node status/,
    },
    {
      class: 'NodePressure',
      row: 'NodePressure',
      names: { N: '' },
      decisive: /KubeletHasInsufficientMemory|insufficient memory/,
    },
    { class: 'JobFailed', row: 'JobFailed', names: { J: 'nightly', POD: '' }, decisive: /DeadlineExceeded/ },
    {
      class: 'DeploymentRolloutFailed',
      row: 'DeploymentRolloutFailed',
      names: { D: 'rollout', POD: '' },
      decisive: /ProgressDeadlineExceeded/,
    },
    {
      class: 'WorkloadUnavailable',
      row: 'WorkloadUnavailable',
      names: { KIND: 'deployment', NAME: 'unavailable', POD: '' },
      decisive: /MinimumReplicasUnavailable|unavailable/i,
    },
    {
      class: 'VolumeProblem',
      row: 'VolumeProblem',
      names: { POD: 'volume', C: 'data' },
      decisive: /unbound immediate PersistentVolumeClaims/,
    },
    // An alert names its object in labels; the alert table reads KubePodCrashLooping as CrashLoopBackOff.
    {
      class: 'Alert',
      row: 'CrashLoopBackOff',
      names: { POD: 'crashing', D: 'shop' },
      decisive: /panic: missing DATABASE_URL/,
    },
  ];

  function namesFor(scenario: Scenario): Record<string, string> {
    const names: Record<string, string> = { NS: namespace, ...scenario.names };
    if (scenario.class === 'NodeNotReady') names.N = ghost();
    if (scenario.class === 'NodePressure') names.N = pressured();
    return names;
  }

  it('has a scenario for every class the watchers emit, and a router row for each', async () => {
    const emitted: FaultClass[] = [
      'CrashLoopBackOff',
      'OOMKilled',
      'ContainerErrorExit',
      'ImagePullBackOff',
      'ContainerConfigError',
      'ProbeFailure',
      'Unschedulable',
      'Evicted',
      'NodeNotReady',
      'NodePressure',
      'JobFailed',
      'DeploymentRolloutFailed',
      'WorkloadUnavailable',
      'VolumeProblem',
      'Alert',
    ];
    expect(
      scenarios()
        .map((s) => s.class)
        .sort(),
    ).toEqual([...emitted].sort());
    for (const scenario of scenarios()) expect(router.has(scenario.row), scenario.row).toBe(true);
    expect(router.get('Alert')?.cell).toMatch(/alert table/);
    const skillText = await readFile(join(skill, 'SKILL.md'), 'utf8');
    expect(skillText).toMatch(/\| KubePodCrashLooping \| CrashLoopBackOff \|/);
  });

  it.each(scenarios().map((s) => [s.class, s] as const))(
    '%s: the first look is one or two calls that show the cause; the report validates; broken ones are caught',
    async (_name, scenario) => {
      // The node lifecycle controller marks a node no kubelet reports for Unknown: say the pressure again.
      if (scenario.class === 'NodePressure') await pressure();
      await followRouter(scenario, namesFor(scenario), env, router, cookbook, dir);
    },
    120_000,
  );
});
