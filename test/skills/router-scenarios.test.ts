/**
 * One scenario per fault class the watchers emit, on the harness cluster: the fault's objects are made (ghost
 * pods with the kubelet's statuses; the real scheduler, Job and Deployment controllers where they decide the
 * fault), and a scripted agent follows the skill's router as an agent reads it: it takes the class's "first
 * reads" from SKILL.md, runs them with a minted triage token (one or two script calls, each must succeed and show
 * what decides the fault), writes a report with the class's typical actions and the rest of the cookbook, and
 * runs check-report: the report validates as the server's parser says, and each broken variant is caught first.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultClass } from '../../core/domain/fault.ts';
import { parseReport } from '../../runners/reports/parse-report.ts';
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

const execFileAsync = promisify(execFile);
const skill = new URL('../../skills/kubernetes-triage/', import.meta.url).pathname;

/** The router's rows: class → its first reads (the backticked commands) and its typical actions. */
interface RouterRow {
  readonly cell: string;
  readonly reads: string[];
  readonly actions: string[];
}

async function readRouter(): Promise<Map<string, RouterRow>> {
  const text = await readFile(join(skill, 'SKILL.md'), 'utf8');
  const rows = new Map<string, RouterRow>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 7 || !/^[A-Z]/.test(cells[1] ?? '')) continue;
    const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    rows.set(cells[1] ?? '', {
      cell: cells[2] ?? '',
      reads: ticks(cells[2] ?? ''),
      actions: ticks(cells[6] ?? ''),
    });
  }
  return rows;
}

/** The cookbook's actions (references/actions.md), one valid example per type, in the order it shows them. */
async function readCookbook(): Promise<Map<string, Record<string, unknown>>> {
  const text = await readFile(join(skill, 'references', 'actions.md'), 'utf8');
  const examples = new Map<string, Record<string, unknown>>();
  for (const block of text.matchAll(/```json\n([\s\S]*?)```/g)) {
    for (const action of JSON.parse(block[1] ?? '[]') as Record<string, unknown>[])
      if (!examples.has(String(action.type))) examples.set(String(action.type), action);
  }
  return examples;
}

interface Scenario {
  readonly class: FaultClass;
  /** The router row the agent follows (an Alert is read as the class its alert table names). */
  readonly row: string;
  /** The placeholders of the router's commands, for this scenario's objects. */
  readonly names: Readonly<Record<string, string>>;
  /** What the first reads must show: the evidence that decides this class. */
  readonly decisive: RegExp;
}

/** A router read made runnable: bare script names get the arguments the router gives them elsewhere. */
function command(read: string, names: Readonly<Record<string, string>>): string {
  let line = read.trim();
  if (line === 'pod-summary.sh') line = 'scripts/pod-summary.sh NS POD';
  if (line === 'workload-summary.sh') line = 'scripts/workload-summary.sh NS deployment/D';
  if (/^(pod|workload)-summary\.sh /.test(line)) line = `scripts/${line}`;
  return line
    .split(' ')
    .map((word) => {
      if (word.startsWith('scripts/')) return join(skill, word);
      if (word.includes('/') && !word.startsWith('-'))
        return word
          .split('/')
          .map((part) => names[part] ?? part)
          .join('/');
      if (word.includes('=')) {
        const [key = '', value = ''] = word.split('=');
        return `${key}=${names[value] ?? value}`;
      }
      return names[word] ?? word;
    })
    .join(' ');
}

/** Whether a router read is something to run (a script or kubectl), not prose like "node conditions". */
const runnable = (read: string) => /^(scripts\/|pod-summary\.sh|workload-summary\.sh|kubectl )/.test(read);

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

  async function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const [file = '', ...args] = line.split(' ');
    const program = file.endsWith('.sh') ? 'bash' : file;
    try {
      const { stdout, stderr } = await execFileAsync(program, file.endsWith('.sh') ? [file, ...args] : args, {
        env,
        timeout: 60_000,
        maxBuffer: 4 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error: unknown) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  function report(scenario: Scenario, typical: readonly string[]): string {
    const ordered = [...typical.filter((type) => cookbook.has(type)), ...cookbook.keys()];
    const actions = [...new Set(ordered)].map((type) => cookbook.get(type));
    return `# ${scenario.class} in ${namespace}

## Triage card
- Status: investigated
- Severity: high
- Root cause: the scenario's ${scenario.class} fault, shown by the router's first reads
- Confidence: medium

## Problem statement
A ${scenario.class} fault in namespace ${namespace}.

## Findings
- F1 (router first reads): the decisive line was there.
- I1 (from F1): the fault is what the class says.

## Hypotheses
1. As the class says. Falsification: the first reads; they showed it.

## Remediation plan
Proposed for a person to approve.

\`\`\`json watchkeeper-actions
${JSON.stringify(actions, null, 2)}
\`\`\`

## Proof of work
- the router's first reads for ${scenario.row}
`;
  }

  /** Broken reports an agent writes, and what check-report must say about each (exit 1: rejected; 2: actions). */
  const broken: readonly { what: string; break: (text: string) => string; code: number; says: RegExp }[] = [
    { what: 'no severity', break: (t) => t.replace(/- Severity: high\n/, ''), code: 1, says: /Severity/i },
    {
      what: 'no proof of work',
      break: (t) => t.replace(/## Proof of work[\s\S]*$/, ''),
      code: 1,
      says: /Proof of work/,
    },
    {
      what: 'an invented action name',
      break: (t) => t.replace('"type": "rollback_deployment"', '"type": "rollback"'),
      code: 2,
      says: /REJECTED/,
    },
    {
      what: 'actions that are not JSON',
      break: (t) => t.replace(/\n\]\n```/, '\n,]\n```'),
      code: 1,
      says: /JSON|actions/i,
    },
  ];

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
      const row = router.get(scenario.row);
      const names = namesFor(scenario);
      const reads = (row?.reads ?? []).filter(runnable).map((read) => command(read, names));
      expect(
        reads.length,
        `first reads of ${scenario.row}: ${row?.reads.join(' | ')}`,
      ).toBeGreaterThanOrEqual(1);
      expect(reads.length).toBeLessThanOrEqual(2);

      // The scripted agent runs them as the router says, with the triage token.
      let seen = '';
      for (const read of reads) {
        // A read about one of the Job's or Deployment's pods: the router names it after the first read.
        if (/ POD?$/.test(read) || read.endsWith(' ')) continue;
        const result = await run(read);
        expect(result.code, `${read}\n${result.stdout}\n${result.stderr}`).toBe(0);
        expect(
          result.stdout.split('\n').every((line) => line.length <= 400),
          `${read}: a line too long`,
        ).toBe(true);
        seen += `${result.stdout}\n`;
      }
      expect(seen, reads.join('\n')).toMatch(scenario.decisive);

      // The report with the class's typical actions and the rest of the cookbook: valid here and on the server.
      const file = join(dir, `${scenario.class}.md`);
      const text = report(scenario, row?.actions ?? []);
      await writeFile(file, text);
      const checked = await run(`${process.execPath} ${join(skill, 'scripts', 'check-report.mjs')} ${file}`);
      expect(checked.code, checked.stdout).toBe(0);
      const server = parseReport(text);
      expect(server.ok && server.report.rejectedActions, JSON.stringify(server)).toEqual([]);
      const types = server.ok ? server.report.actions.map((a) => a.type) : [];
      expect(new Set(types)).toEqual(new Set(cookbook.keys()));

      for (const variant of broken) {
        const brokenFile = join(dir, `${scenario.class}-broken.md`);
        const brokenText = variant.break(text);
        expect(brokenText, variant.what).not.toBe(text);
        await writeFile(brokenFile, brokenText);
        const caught = await run(
          `${process.execPath} ${join(skill, 'scripts', 'check-report.mjs')} ${brokenFile}`,
        );
        expect(caught.code, `${variant.what}: ${caught.stdout}`).toBe(variant.code);
        expect(caught.stdout, variant.what).toMatch(variant.says);
        // The server would have refused it the same way.
        const verdict = parseReport(brokenText);
        if (variant.code === 1) expect(verdict.ok, variant.what).toBe(false);
        else expect(verdict.ok && verdict.report.rejectedActions.length, variant.what).toBeGreaterThan(0);
      }
    },
    120_000,
  );
});
