/**
 * The Kubernetes fault watcher: informers on pods, nodes, events, jobs, deployments, statefulsets, daemonsets and
 * PVCs; each object's faults are computed by the rules, turned into edges by the tracker, given bounded context
 * (recent related Events, the failing container's last log lines) and handed to the sink, retried until taken.
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  makeInformer,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Fault, RelatedEvent } from '../../core/domain/fault.ts';
import { faultLimits } from '../../core/domain/fault.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { DetectedFault } from './detected-fault.ts';
import { eventFault, relatedEvent } from './event-rules.ts';
import { FaultTracker } from './fault-tracker.ts';
import { nodeFaults } from './node-rules.ts';
import { podFaults } from './pod-rules.ts';
import { deploymentFaults, jobFaults, pvcFaults, setFaults, type GracedFault } from './workload-rules.ts';
import { passesFilters, passesNamespace, type WatchFilters } from './watch-filters.ts';

export interface KubeWatcherOptions {
  readonly kubeconfig: KubeConfig;
  readonly cluster: string;
  readonly sourceName?: string;
  readonly sink: (fault: Fault) => Promise<unknown>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly filters?: WatchFilters;
  readonly graceMs?: number;
  readonly cooldownMs?: number;
  readonly eventTtlMs?: number;
  readonly sweepMs?: number;
  /** `false`: start() returns at once and unreachable apiservers are retried in the background. */
  readonly waitForList?: boolean;
  /** Read the failing container's last log lines for crash faults (needs `pods/log` get). */
  readonly fetchLogs?: boolean;
}

export interface KubeWatcher {
  /** Starts every informer; resolves once each has listed its objects (the level pass is done). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Faults that hold now, for reconciliation by MCP clients after a reconnect. */
  activeFaults(): Fault[];
  /** Faults handed to the sink that it has not yet taken (it is retried). */
  backlog(): number;
}

const crashClasses = new Set<Fault['class']>(['CrashLoopBackOff', 'OOMKilled', 'ContainerErrorExit']);
const maxEventsPerObject = 10;
const maxObjectsWithEvents = 20_000;

type Rules = (object: KubernetesObject) => readonly GracedFault[];

export function createKubeWatcher(options: KubeWatcherOptions): KubeWatcher {
  const { kubeconfig, logger } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  const recentEvents = new Map<string, RelatedEvent[]>();
  const pending: Fault[] = [];
  let delivering: Promise<void> | undefined;
  let stopped = false;
  const informers: { stop(): Promise<void> }[] = [];

  const tracker = new FaultTracker(
    {
      cluster: options.cluster,
      sourceName: options.sourceName ?? 'kube-watcher',
      graceMs: options.graceMs ?? 120_000,
      cooldownMs: options.cooldownMs ?? 60_000,
      eventTtlMs: options.eventTtlMs ?? 600_000,
    },
    (fault, detected) => {
      void enrich(fault, detected).then(deliver);
    },
  );

  async function enrich(fault: Fault, detected: DetectedFault): Promise<Fault> {
    if (fault.resolved) return fault;
    const events =
      (fault.resource.uid === undefined ? undefined : recentEvents.get(fault.resource.uid)) ?? [];
    const logTail =
      options.fetchLogs !== false && crashClasses.has(fault.class) && fault.resource.kind === 'Pod'
        ? await lastLogLines(fault, detected.container)
        : undefined;
    return {
      ...fault,
      context: {
        ...fault.context,
        ...(events.length > 0 && { events: events.slice(-faultLimits.events) }),
        ...(logTail && logTail.length > 0 && { logTail }),
      },
    };
  }

  async function lastLogLines(fault: Fault, container: string | undefined): Promise<string[] | undefined> {
    if (!fault.resource.namespace || !container) return undefined;
    try {
      const log = await core.readNamespacedPodLog({
        name: fault.resource.name,
        namespace: fault.resource.namespace,
        container,
        previous: true,
        tailLines: 20,
        limitBytes: 16_384,
      });
      return log
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-faultLimits.logLines)
        .map((line) => redactBounded(line, faultLimits.logLine));
    } catch {
      return undefined; // no previous container, no kubelet, or no right to read logs: the fault goes without
    }
  }

  /** Hands faults to the sink in order, retrying with backoff while it fails; nothing is dropped. */
  function deliver(fault: Fault): void {
    pending.push(fault);
    pump();
  }

  function pump(): void {
    delivering ??= (async () => {
      let delay = 200;
      while (pending.length > 0 && !stopped) {
        const next = pending[0];
        if (!next) break;
        try {
          await options.sink(next);
          pending.shift();
          delay = 200;
        } catch (error) {
          logger.warn(
            { err: error, faultId: next.faultId, backlog: pending.length },
            'fault not taken yet; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 30_000);
        }
      }
    })().finally(() => {
      delivering = undefined;
      if (pending.length > 0 && !stopped) pump();
    });
  }

  function remember(event: CoreV1Event): void {
    const uid = event.involvedObject.uid;
    if (!uid) return;
    const list = recentEvents.get(uid) ?? [];
    list.push(relatedEvent(event));
    if (list.length > maxEventsPerObject) list.shift();
    recentEvents.delete(uid);
    recentEvents.set(uid, list);
    if (recentEvents.size > maxObjectsWithEvents) {
      const oldest = recentEvents.keys().next();
      if (!oldest.done) recentEvents.delete(oldest.value);
    }
  }

  const keyOf = (object: KubernetesObject) =>
    object.metadata?.uid ??
    `${object.kind ?? ''}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

  async function watch<T extends KubernetesObject>(
    name: string,
    path: string,
    list: () => Promise<{ items: T[] }>,
    onObject: (object: T, deleted: boolean) => void,
  ): Promise<void> {
    const informer = makeInformer<T>(kubeconfig, path, list);
    informer.on('add', (object) => onObject(object, false));
    informer.on('update', (object) => onObject(object, false));
    informer.on('delete', (object) => onObject(object, true));
    let backoff = 1_000;
    const restartLater = (error: unknown) => {
      if (stopped) return;
      logger.warn(
        { err: error, informer: name },
        `watch on ${name} failed; restarting in ${backoff / 1000} s`,
      );
      setTimeout(() => {
        if (!stopped) informer.start().catch(restartLater);
      }, backoff).unref();
      backoff = Math.min(backoff * 2, 60_000);
    };
    informer.on('error', restartLater);
    informer.on('connect', () => {
      backoff = 1_000;
    });
    informers.push(informer);
    if (options.waitForList === false) informer.start().catch(restartLater);
    else await informer.start();
  }

  const observed =
    <T extends KubernetesObject>(rules: (object: T) => readonly GracedFault[]) =>
    (object: T, deleted: boolean) => {
      if (object.metadata?.namespace !== undefined && !passesFilters(object, options.filters)) return;
      const now = clock.now();
      if (deleted) tracker.forget(keyOf(object), now);
      else tracker.observe(keyOf(object), (rules as Rules)(object), now);
    };

  let sweeper: NodeJS.Timeout | undefined;

  return {
    async start() {
      stopped = false;
      await watch(
        'events',
        '/api/v1/events',
        () => core.listEventForAllNamespaces(),
        (event: CoreV1Event, deleted) => {
          if (deleted || !passesNamespace(event.involvedObject.namespace ?? '', options.filters)) {
            return;
          }
          remember(event);
          const fault = eventFault(event);
          if (fault) tracker.observeEvent(fault, clock.now());
        },
      );
      await Promise.all([
        watch(
          'pods',
          '/api/v1/pods',
          () => core.listPodForAllNamespaces(),
          observed((pod: V1Pod) => podFaults(pod)),
        ),
        watch('nodes', '/api/v1/nodes', () => core.listNode(), observed(nodeFaults)),
        watch('jobs', '/apis/batch/v1/jobs', () => batch.listJobForAllNamespaces(), observed(jobFaults)),
        watch(
          'deployments',
          '/apis/apps/v1/deployments',
          () => apps.listDeploymentForAllNamespaces(),
          observed(deploymentFaults),
        ),
        watch(
          'statefulsets',
          '/apis/apps/v1/statefulsets',
          () => apps.listStatefulSetForAllNamespaces(),
          observed((s) => setFaults('StatefulSet', s)),
        ),
        watch(
          'daemonsets',
          '/apis/apps/v1/daemonsets',
          () => apps.listDaemonSetForAllNamespaces(),
          observed((s) => setFaults('DaemonSet', s)),
        ),
        watch(
          'persistentvolumeclaims',
          '/api/v1/persistentvolumeclaims',
          () => core.listPersistentVolumeClaimForAllNamespaces(),
          observed(pvcFaults),
        ),
      ]);
      sweeper = setInterval(() => tracker.sweep(clock.now()), options.sweepMs ?? 5_000);
      sweeper.unref();
      logger.info({ cluster: options.cluster }, 'Kubernetes fault watcher started');
    },
    async stop() {
      stopped = true;
      if (sweeper) clearInterval(sweeper);
      await Promise.all(informers.splice(0).map((informer) => informer.stop().catch(() => undefined)));
      await delivering;
    },
    activeFaults: () => tracker.active(),
    backlog: () => pending.length,
  };
}
