/**
 * Pods, Deployments and Jobs for the harness's real node (services/real-node.ts), whose containers really run:
 * each builder gives one real fault with the kubelet's own dynamics, and the matching fix a test applies to
 * watch the incident resolve. Images are local (test/harness/images); nothing is pulled from a registry.
 */
import type { V1Container, V1Deployment, V1Job, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { KubeClient } from './kube-helpers.ts';
import type { HarnessInfo } from './types.ts';

export type RealNode = NonNullable<HarnessInfo['node']>;

/** Small enough that 30 replicas fit a 2-core node with room to spare. */
const smallResources = { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '32Mi' } };

/** A pod spec that lands on the real node: selects its label, tolerates its taint, never pulls by default. */
export function onRealNode(
  node: RealNode,
  spec: Omit<V1PodSpec, 'containers'> & { containers: V1Container[] },
): V1PodSpec {
  return {
    terminationGracePeriodSeconds: 1,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...spec,
    nodeSelector: { ...spec.nodeSelector, [node.label.key]: node.label.value },
    tolerations: [
      ...(spec.tolerations ?? []),
      { key: node.taint.key, operator: 'Equal', value: node.taint.value, effect: node.taint.effect },
    ],
    containers: spec.containers.map((c): V1Container =>
      Object.assign({ imagePullPolicy: 'Never', resources: smallResources }, c),
    ),
  };
}

const app = (image: string, extra: Partial<V1Container> = {}): V1Container => ({
  name: 'app',
  image,
  ...extra,
});

/** A file only the healthy image has: probes checking it fail on the base image and pass after the fix. */
export const readyFile = '/etc/wk-ready';

/** One fault class each: the containers that show it on a real kubelet. */
export const faultyContainers = {
  /** Exits 1 after 2 s: Error → CrashLoopBackOff with the kubelet's real back-off. */
  crashLoop: (node: RealNode): V1Container => app(node.images.crasher),
  /** Touches 1 GiB under a 32 MiB limit: the kernel's memory cgroup kills it (OOMKilled, exit 137). */
  oomKilled: (node: RealNode): V1Container =>
    app(node.images.memoryHog, {
      resources: { requests: { cpu: '5m', memory: '8Mi' }, limits: { memory: '32Mi' } },
    }),
  /**
   * An image on a "registry" at a loopback port nobody listens on: ErrImagePull → ImagePullBackOff, every
   * connection refused on 127.0.0.1.
   */
  imagePull: (port: number): V1Container =>
    app(`127.0.0.1:${port}/watchkeeper/missing:1`, { imagePullPolicy: 'IfNotPresent' }),
  /** Runs, but its readiness probe fails (Unhealthy events, never Ready). */
  failingReadiness: (node: RealNode): V1Container =>
    app(node.images.base, {
      readinessProbe: {
        exec: { command: ['/bin/wk', 'check', readyFile] },
        periodSeconds: 2,
        failureThreshold: 1,
      },
    }),
  /** Runs, but its liveness probe fails: the kubelet kills and restarts it (Unhealthy, Killing, back-off). */
  failingLiveness: (node: RealNode): V1Container =>
    app(node.images.base, {
      livenessProbe: {
        exec: { command: ['/bin/wk', 'check', readyFile] },
        periodSeconds: 2,
        failureThreshold: 1,
      },
    }),
  /** Needs a key its ConfigMap lacks: CreateContainerConfigError until the key exists. */
  missingConfigMapKey: (node: RealNode, configMap: string, key: string): V1Container =>
    app(node.images.healthy, {
      env: [{ name: 'SETTING', valueFrom: { configMapKeyRef: { name: configMap, key } } }],
    }),
  /** Requests more CPU than the node has: the scheduler leaves it Pending (Unschedulable). */
  unschedulable: (node: RealNode): V1Container =>
    app(node.images.healthy, { resources: { requests: { cpu: '64', memory: '8Mi' } } }),
} as const;

export function realPod(
  node: RealNode,
  name: string,
  container: V1Container,
  options: { labels?: Record<string, string>; restartPolicy?: 'Always' | 'Never' | 'OnFailure' } = {},
): V1Pod {
  return {
    metadata: { name, labels: { app: name, ...options.labels } },
    spec: onRealNode(node, { restartPolicy: options.restartPolicy ?? 'Always', containers: [container] }),
  };
}

export function realDeployment(
  node: RealNode,
  name: string,
  replicas: number,
  container: V1Container,
): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      // Replace at once: a fix rolls out in one step and a crash-looping old pod never lingers beside it.
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { app: name } },
        spec: onRealNode(node, { containers: [container] }),
      },
    },
  };
}

/** A Job whose pod exits non-zero each time, failing after `backoffLimit` retries (BackoffLimitExceeded). */
export function failingJob(node: RealNode, name: string, backoffLimit = 1): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit,
      template: {
        metadata: { labels: { job: name } },
        spec: onRealNode(node, {
          restartPolicy: 'Never',
          containers: [app(node.images.crasher, { command: ['/bin/wk', 'exit', '3'] })],
        }),
      },
    },
  };
}

/** The fix for a pod's container: its image becomes the healthy one (the only mutable field of a pod's container). */
export async function setPodImage(
  client: KubeClient,
  namespace: string,
  name: string,
  image: string,
): Promise<void> {
  await client.core.patchNamespacedPod({
    name,
    namespace,
    body: [{ op: 'replace', path: '/spec/containers/0/image', value: image }],
  });
}

/** The fix for a Deployment: a new template (healthy image, small requests, no probe), rolled out by the controller. */
export async function fixDeployment(
  client: KubeClient,
  namespace: string,
  name: string,
  node: RealNode,
): Promise<void> {
  await client.apps.patchNamespacedDeployment({
    name,
    namespace,
    body: [
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0',
        value: Object.assign(
          { imagePullPolicy: 'Never', resources: smallResources },
          app(node.images.healthy),
        ),
      },
    ],
  });
}

/** What the real kubelet currently shows for a pod's first container, in one line for a test's timeline. */
export function containerSummary(pod: V1Pod | undefined): string {
  if (!pod) return 'gone';
  const status = pod.status?.containerStatuses?.[0];
  const state = status?.state;
  const now = state?.waiting
    ? `waiting ${state.waiting.reason ?? ''}`
    : state?.running
      ? 'running'
      : state?.terminated
        ? `terminated ${state.terminated.reason ?? ''} ${String(state.terminated.exitCode)}`
        : (pod.status?.phase ?? 'unknown');
  const last = status?.lastState?.terminated;
  return `${now} restarts=${String(status?.restartCount ?? 0)} ready=${String(status?.ready ?? false)}${
    last ? ` last=${last.reason ?? ''}/${String(last.exitCode)}` : ''
  }`;
}
