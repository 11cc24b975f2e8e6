/**
 * pod-summary.sh and workload-summary.sh as the agent runs them: the real kubectl, a minted triage token, the
 * harness apiserver and controllers. Every kubectl call the scripts make is recorded (a pass-through `kubectl`
 * first on PATH) to show that nothing the token refuses is attempted and that every call is bounded.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { CoreV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken, type RunToken } from '../../runners/tokens/run-token.ts';
import { retryOnConflict } from '../intake/cluster-objects.ts';
import { until } from '../fixtures/until.ts';
import {
  applyManifests,
  createNamespace,
  deleteNamespace,
  kubeClient,
  type KubeClient,
} from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { startLogKubelet, type LogKubelet } from './log-kubelet.ts';

const execFileAsync = promisify(execFile);
const scripts = new URL('../../skills/kubernetes-triage/scripts/', import.meta.url).pathname;

interface Run {
  readonly code: number;
  readonly stdout: string;
  /** The kubectl command lines the script ran, one per call. */
  readonly calls: readonly string[];
}

describe('the summary scripts, with the triage token on the harness cluster', () => {
  let admin: KubeClient;
  let dir: string;
  let token: RunToken | undefined;
  let kubelet: LogKubelet | undefined;
  let namespace: string;
  let quotaNamespace: string;
  let node: string;
  let env: Record<string, string>;
  const callLog = () => join(dir, 'kubectl-calls.log');

  async function script(name: string, args: readonly string[]): Promise<Run> {
    await writeFile(callLog(), '');
    let result: { code: number; stdout: string };
    try {
      const { stdout } = await execFileAsync('bash', [join(scripts, name), ...args], {
        env,
        timeout: 60_000,
      });
      result = { code: 0, stdout };
    } catch (error: unknown) {
      const failed = error as { code?: number; stdout?: string };
      result = { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
    }
    const calls = (await readFile(callLog(), 'utf8')).split('\n').filter(Boolean);
    return { ...result, calls };
  }

  beforeAll(async () => {
    admin = kubeClient(harness('kube').kubeconfigPath);
    dir = await mkdtemp(join(tmpdir(), 'wk-skill-scripts-'));
    await applyManifests(admin, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    token = await mintRunToken(
      admin.config,
      { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
      { id: `skill-${Date.now()}`, deadline: new Date(Date.now() + 10 * 60_000) },
    );
    await writeFile(join(dir, 'kubeconfig'), runKubeconfig(admin.config, token.token), { mode: 0o600 });

    // The real kubectl, behind a recorder (the agent's PATH has Watchkeeper's kubectl guard in the same place).
    const realKubectl = (await execFileAsync('bash', ['-c', 'command -v kubectl'])).stdout.trim();
    const shimDir = join(dir, 'bin');
    await execFileAsync('mkdir', ['-p', shimDir]);
    await writeFile(
      join(shimDir, 'kubectl'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${callLog()}'\nexec '${realKubectl}' "$@"\n`,
    );
    await chmod(join(shimDir, 'kubectl'), 0o755);
    env = {
      PATH: `${shimDir}${delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: dir,
      KUBECONFIG: join(dir, 'kubeconfig'),
    };

    namespace = await createNamespace(admin, 'skill');
    quotaNamespace = await createNamespace(admin, 'skill-quota');
    kubelet = await startLogKubelet({
      'web/app/previous':
        'starting checkout 1.9.9\nloading config from /etc/checkout\npanic: dial tcp 10.9.0.7:5432: connect: connection refused',
      'web/migrate': 'migrations: 12 applied, 0 pending',
      'web/proxy': 'proxy: serving on :15001',
      'web/log-shipper': 'shipping logs',
    });

    // A node no kubelet serves, whose kubelet endpoint is the log server above (loopback only).
    node = `skill-node-${namespace}`;
    await admin.core.createNode({
      body: { metadata: { name: node, labels: { 'watchkeeper.test/skill': 'true' } } },
    });
    const kubeletPort = kubelet.port;
    // The node controllers write to a new Node too: read-modify-write until no one came in between.
    await retryOnConflict(async () => {
      const created = await admin.core.readNode({ name: node });
      await admin.core.replaceNodeStatus({
        name: node,
        body: {
          ...created,
          status: {
            addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
            daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                lastHeartbeatTime: new Date(),
                lastTransitionTime: new Date(),
              },
            ],
            allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
            capacity: { cpu: '4', memory: '16Gi', pods: '110' },
          },
        },
      });
    });

    await admin.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'checkout-config' }, data: { DB_HOST: 'db', LOG_LEVEL: 'info' } },
    });
    // An init container that completed, a native sidecar and a plain sidecar that are healthy, and the app that
    // crash-loops: the pod where `kubectl logs --all-containers --previous` loses the app's logs.
    await admin.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          nodeName: node,
          initContainers: [
            { name: 'migrate', image: 'registry.example/migrate:3' },
            { name: 'log-shipper', image: 'registry.example/shipper:1', restartPolicy: 'Always' },
          ],
          containers: [
            { name: 'proxy', image: 'registry.example/proxy:2' },
            {
              name: 'app',
              image: 'registry.example/checkout:1.9.9',
              env: [
                {
                  name: 'DB_HOST',
                  valueFrom: { configMapKeyRef: { name: 'checkout-config', key: 'DB_HOST' } },
                },
                {
                  name: 'DB_PORT',
                  valueFrom: { configMapKeyRef: { name: 'checkout-config', key: 'DB_PORT' } },
                },
                { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
              ],
              resources: { requests: { memory: '256Mi', cpu: '100m' }, limits: { memory: '512Mi' } },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 8080 },
                timeoutSeconds: 1,
                periodSeconds: 10,
              },
            },
          ],
        },
      },
    });
    const pod = await admin.core.readNamespacedPod({ namespace, name: 'web' });
    const now = new Date();
    const earlier = new Date(now.getTime() - 3_000);
    await admin.core.replaceNamespacedPodStatus({
      namespace,
      name: 'web',
      body: {
        ...pod,
        status: {
          phase: 'Running',
          initContainerStatuses: [
            {
              name: 'migrate',
              image: 'registry.example/migrate:3',
              imageID: 'sha256:1',
              ready: true,
              restartCount: 0,
              state: {
                terminated: { exitCode: 0, reason: 'Completed', startedAt: earlier, finishedAt: earlier },
              },
            },
            {
              name: 'log-shipper',
              image: 'registry.example/shipper:1',
              imageID: 'sha256:2',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: earlier } },
            },
          ],
          containerStatuses: [
            {
              name: 'proxy',
              image: 'registry.example/proxy:2',
              imageID: 'sha256:3',
              ready: true,
              restartCount: 0,
              state: { running: { startedAt: earlier } },
            },
            {
              name: 'app',
              image: 'registry.example/checkout:1.9.9',
              imageID: 'sha256:4',
              ready: false,
              restartCount: 5,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 2m40s restarting failed container',
                },
              },
              lastState: {
                terminated: {
                  exitCode: 1,
                  reason: 'Error',
                  message: 'panic: dial tcp 10.9.0.7:5432',
                  startedAt: earlier,
                  finishedAt: now,
                },
              },
            },
          ],
        },
      },
    });

    // A namespace whose quota lets one pod in: the Deployment's second pod is refused (ReplicaSet FailedCreate).
    await admin.core.createNamespacedResourceQuota({
      namespace: quotaNamespace,
      body: { metadata: { name: 'pods' }, spec: { hard: { pods: '1' } } },
    });
    await admin.core.createNamespacedLimitRange({
      namespace: quotaNamespace,
      body: {
        metadata: { name: 'defaults' },
        spec: { limits: [{ type: 'Container', _default: { memory: '256Mi' }, max: { memory: '1Gi' } }] },
      },
    });
    await until(
      'the quota is counted',
      async () =>
        (await admin.core.readNamespacedResourceQuota({ namespace: quotaNamespace, name: 'pods' })).status
          ?.hard !== undefined,
      30_000,
    );
    await admin.apps.createNamespacedDeployment({
      namespace: quotaNamespace,
      body: {
        metadata: { name: 'api' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'api' } },
          template: {
            metadata: { labels: { app: 'api' } },
            spec: {
              // Never scheduled (no node has this label): the pods stay Pending and no kubelet is asked anything.
              nodeSelector: { 'watchkeeper.test/none': 'true' },
              containers: [
                { name: 'api', image: 'registry.example/api:1', env: [{ name: 'MODE', value: 'a' }] },
              ],
            },
          },
        },
      },
    });
    await until(
      "the ReplicaSet's FailedCreate",
      async () =>
        (await admin.core.listNamespacedEvent({ namespace: quotaNamespace })).items.some(
          (e: CoreV1Event) => e.reason === 'FailedCreate' && e.involvedObject.kind === 'ReplicaSet',
        ),
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    await token?.revoke();
    await kubelet?.close();
    if (namespace) await deleteNamespace(admin, namespace);
    if (quotaNamespace) await deleteNamespace(admin, quotaNamespace);
    if (node) await admin.core.deleteNode({ name: node }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  function expectOnlyBoundedReads(run: Run) {
    expect(run.calls.length).toBeGreaterThan(0);
    for (const call of run.calls) {
      expect(call).toMatch(/^(get|logs) /);
      expect(call).toContain('--request-timeout=10s');
      expect(call).not.toMatch(/\bsecrets?\b|--all-containers|exec|top /);
    }
    expect(run.stdout).not.toMatch(/FORBIDDEN/);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(260);
  }

  it("shows every container's state and the crashing app's previous logs on a pod with init and sidecar containers", async () => {
    const run = await script('pod-summary.sh', [namespace, 'web']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/- migrate \[init\][\s\S]*terminated Completed exitCode=0/);
    expect(run.stdout).toMatch(/- log-shipper \[sidecar \(init\)\][\s\S]*running/);
    expect(run.stdout).toMatch(
      /- app \[app\].*restarts=5[\s\S]*state: waiting CrashLoopBackOff[\s\S]*last: +terminated Error exitCode=1/,
    );
    expect(run.stdout).toContain(
      'liveness http /healthz:8080 delay=0s period=10s timeout=1s failureThreshold=3',
    );
    expect(run.stdout).toContain('requests cpu=100m,memory=256Mi; limits memory=512Mi');
    // The previous run's last words, which --all-containers --previous loses here.
    expect(run.stdout).toMatch(
      /- app \(previous run\):[\s\S]*panic: dial tcp 10\.9\.0\.7:5432: connect: connection refused/,
    );
    expect(run.stdout).toMatch(/- migrate \(current\/last run\):[\s\S]*migrations: 12 applied/);
    expect(run.stdout).toMatch(/- proxy: healthy and never restarted/);
    // Names and keys of the configuration, never values; the missing key is called out.
    expect(run.stdout).toMatch(
      /ConfigMap checkout-config: keys DB_HOST, LOG_LEVEL;.*MISSING KEY\(S\) DB_PORT/,
    );
    expect(run.stdout).toMatch(/Secret db-creds \(keys password\): not readable by this token/);
    expect(run.stdout).not.toContain('info'); // a ConfigMap value
    expect(run.stdout).toMatch(/owners\n\s+none \(a bare pod/);
    expect(run.stdout).toMatch(new RegExp(`== node ${node}\\n.*Ready=True`));
    expectOnlyBoundedReads(run);
    expect(run.calls.filter((c) => c.startsWith('logs '))).toHaveLength(2);
    expect(kubelet!.requests.filter((r) => r.pod === 'web')).toEqual(
      expect.arrayContaining([
        { pod: 'web', container: 'app', previous: true, tailLines: 40 },
        { pod: 'web', container: 'migrate', previous: false, tailLines: 40 },
      ]),
    );
    expect(kubelet!.requests.some((r) => r.container === 'proxy' || r.container === 'log-shipper')).toBe(
      false,
    );
  });

  it('is needed: the one-call `kubectl logs --all-containers --previous` fails on that pod', async () => {
    // kubectl asks for every container's previous logs and gives up on the first that has none; whether the
    // app's lines were printed before that is a race between its parallel requests.
    const old = await execFileAsync(
      'kubectl',
      [
        'logs',
        'web',
        '-n',
        namespace,
        '--all-containers',
        '--previous',
        '--tail=50',
        '--request-timeout=10s',
      ],
      { env },
    ).then(
      () => ({ failed: false, stderr: '' }),
      (error: unknown) => ({ failed: true, stderr: (error as { stderr?: string }).stderr ?? '' }),
    );
    expect(old.failed).toBe(true);
    expect(old.stderr).toMatch(
      /previous terminated container "(migrate|log-shipper|proxy)" in pod "web" not found/,
    );
  });

  it("shows the ReplicaSet's FailedCreate (quota) on a pod of a Deployment short of pods", async () => {
    const pods = await admin.core.listNamespacedPod({ namespace: quotaNamespace, labelSelector: 'app=api' });
    const name = pods.items[0]?.metadata?.name ?? '';
    const run = await script('pod-summary.sh', [quotaNamespace, name]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/- ReplicaSet api-\w+ revision 1/);
    expect(run.stdout).toMatch(/- Deployment api revision 1, /);
    expect(run.stdout).toMatch(
      /ReplicaSet api-\w+:.*\n(.*\n)*?.*Warning FailedCreate x\d+: .*exceeded quota: pods/,
    );
    // Repeats of one event (they differ only in the generated pod name) are one line with their count.
    expect(run.stdout.match(/Warning FailedCreate/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/condition ReplicaFailure=True FailedCreate/);
    expect(run.stdout).toMatch(/- api: not started yet — no logs/);
    expect(run.stdout).toContain('(not scheduled)');
    expect(run.calls.some((c) => c.startsWith('logs '))).toBe(false);
    expectOnlyBoundedReads(run);
  });

  it('shows what changed on a Deployment: revisions, the template diff, pods, quota, LimitRange, events', async () => {
    const deployment = await admin.apps.readNamespacedDeployment({ namespace: quotaNamespace, name: 'api' });
    const container = deployment.spec!.template.spec!.containers[0]!;
    container.image = 'registry.example/api:2';
    container.env = [{ name: 'MODE', value: 'b' }];
    await admin.apps.replaceNamespacedDeployment({
      namespace: quotaNamespace,
      name: 'api',
      body: deployment,
    });
    await until(
      'revision 2',
      async () =>
        (await admin.apps.listNamespacedReplicaSet({ namespace: quotaNamespace })).items.some(
          (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2',
        ),
      30_000,
    );
    // The newest ReplicaSet is held by the quota too; wait for its own FailedCreate.
    await until(
      "the newest ReplicaSet's FailedCreate",
      async () => {
        const sets = await admin.apps.listNamespacedReplicaSet({ namespace: quotaNamespace });
        const newest = sets.items.find(
          (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2',
        );
        const events = await admin.core.listNamespacedEvent({ namespace: quotaNamespace });
        return events.items.some(
          (e) => e.reason === 'FailedCreate' && e.involvedObject.name === newest?.metadata?.name,
        );
      },
      60_000,
    );
    const run = await script('workload-summary.sh', [quotaNamespace, 'deployment/api']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/== Deployment .*\/api\n.*\n.*replicas desired 2/);
    expect(run.stdout).toMatch(/revision 2 api-\w+ created .*images api=registry\.example\/api:2/);
    expect(run.stdout).toMatch(/revision 1 api-\w+ created .*images api=registry\.example\/api:1/);
    expect(run.stdout).toMatch(/template diff: revision 1 → 2/);
    expect(run.stdout).toContain(
      '~ spec.containers.api.image: "registry.example/api:1" → "registry.example/api:2"',
    );
    expect(run.stdout).toContain('~ spec.containers.api.env.MODE: "a" → "b"');
    expect(run.stdout).not.toMatch(/pod-template-hash/);
    expect(run.stdout).toMatch(/ResourceQuota pods: pods 1\/1 \(!\)/);
    expect(run.stdout).toMatch(/LimitRange defaults Container: max memory=1Gi default memory=256Mi/);
    expect(run.stdout).toMatch(/== pods\n {2}1 Pending(?: \(newest revision\))?: api-/);
    expect(run.stdout).toMatch(/HPA: none targets this workload/);
    expect(run.stdout).toMatch(/ReplicaSet api-\w+ \(newest\):[\s\S]*FailedCreate/);
    expectOnlyBoundedReads(run);
  });

  it('with a token that may read only pods, prints each refused read once as a constraint and goes on', async () => {
    // A narrower identity than triage: pods and their logs in this namespace, nothing else.
    const serviceAccount = `wk-pods-only-${namespace}`;
    await applyManifests(admin, [
      `apiVersion: v1
kind: ServiceAccount
metadata: { name: ${serviceAccount}, namespace: watchkeeper-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: pods-only, namespace: ${namespace} }
rules: [{ apiGroups: [''], resources: [pods, pods/log], verbs: [get] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: pods-only, namespace: ${namespace} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-only }
subjects: [{ kind: ServiceAccount, name: ${serviceAccount}, namespace: watchkeeper-system }]
`,
    ]);
    const narrow = await mintRunToken(
      admin.config,
      { namespace: 'watchkeeper-system', serviceAccount },
      { id: `narrow-${Date.now()}`, deadline: new Date(Date.now() + 10 * 60_000) },
    );
    try {
      await writeFile(env.KUBECONFIG!, runKubeconfig(admin.config, narrow.token), { mode: 0o600 });
      let run: Run = { code: -1, stdout: '', calls: [] };
      await until(
        'the Role is in force',
        async () => {
          run = await script('pod-summary.sh', [namespace, 'web']);
          return run.code === 0;
        },
        15_000,
        500,
      );
      expect(run.stdout).toContain('panic: dial tcp'); // what it may read, it reads
      for (const refused of [
        /FORBIDDEN events of Pod web/,
        /FORBIDDEN ConfigMap checkout-config/,
        /FORBIDDEN node /,
      ])
        expect(run.stdout).toMatch(refused);
      expect(run.stdout).toMatch(/record it under constraints; do not retry/);
      expect(new Set(run.calls).size, 'no call is repeated').toBe(run.calls.length);
    } finally {
      await writeFile(env.KUBECONFIG!, runKubeconfig(admin.config, token!.token), { mode: 0o600 });
      await narrow.revoke();
      await admin.core.deleteNamespacedServiceAccount({
        name: serviceAccount,
        namespace: 'watchkeeper-system',
      });
    }
  });

  it('says clearly when the object is not there, and how to go on', async () => {
    const pod = await script('pod-summary.sh', [namespace, 'gone-1']);
    expect(pod.code).toBe(1);
    expect(pod.stdout).toMatch(/pod .*gone-1: notfound[\s\S]*The pod is gone/);
    const workload = await script('workload-summary.sh', [namespace, 'deployment/none']);
    expect(workload.code).toBe(1);
    expect(workload.stdout).toMatch(/Deployment .*\/none: notfound/);
    const usage = await script('workload-summary.sh', [namespace, 'secret/db-creds']);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toMatch(/^usage: workload-summary\.sh NAMESPACE KIND\/NAME/);
    expect(usage.calls).toEqual([]);
    // Arguments are names, never flags: nothing reaches kubectl that could point it elsewhere.
    const flag = await script('pod-summary.sh', [namespace, '--server=https://127.0.0.1:1']);
    expect(flag.code).toBe(2);
    expect(flag.calls).toEqual([]);
  });
});
