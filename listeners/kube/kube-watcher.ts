/**
 * The Kubernetes fault watcher: informers on pods, nodes, events, jobs, deployments, replicasets, statefulsets,
 * daemonsets and PVCs; each object's faults are computed by the rules, turned into edges by the tracker, given
 * bounded context (owner chain, node, recent related Events, the failing container's last log lines) and handed
 * to the sink, retried until taken. Nothing is enriched before every informer has listed once, so a fault
 * reported during the first list is placed and described like any later one.
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
import type { Fault } from '../../core/domain/fault.ts';
import { faultLimits } from '../../core/domain/fault.ts';
import { redactBounded } from '../../core/domain/redact.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { createDeliveryQueue } from './delivery-queue.ts';
import { superviseInformer } from './supervised-informer.ts';
import { eventFault } from './event-rules.ts';
import { createFaultEnricher } from './fault-enricher.ts';
import { FaultTracker } from './fault-tracker.ts';
import { nodeFaults } from './node-rules.ts';
import { containerHealth, podFaults } from './pod-rules.ts';
import { RecentEvents } from './recent-events.ts';
import { deploymentFaults, jobFaults, pvcFaults, setFaults, type GracedFault } from './workload-rules.ts';
import { passesFilters, passesNamespace, type WatchFilters } from './watch-filters.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

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
  /** A crash-looping container's fault resolves once it has run ready, without restarting, this long. */
  readonly healthyMs?: number;
  /** How often timers (grace, cooldown, healthy period, Event TTL) are checked; default a fifth of the shortest. */
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

interface Cached {
  get(name: string, namespace?: string): KubernetesObject | undefined;
  list(namespace?: string): readonly KubernetesObject[];
}

export const watcherDefaults = {
  graceMs: 120_000,
  cooldownMs: 60_000,
  eventTtlMs: 600_000,
  healthyMs: 120_000,
} as const;

export function createKubeWatcher(options: KubeWatcherOptions): KubeWatcher {
  const { kubeconfig, logger } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  const events = new RecentEvents();
  const queue = createDeliveryQueue(options.sink, logger);
  const caches = new Map<string, Cached>();
  const informers: { stop(): Promise<void> }[] = [];
  let stopping = new AbortController();
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  /** Per fault, the report being enriched: a fault's reports reach the sink in the order they were made. */
  const inFlight = new Map<string, Promise<void>>();

  const settings = {
    graceMs: options.graceMs ?? watcherDefaults.graceMs,
    cooldownMs: options.cooldownMs ?? watcherDefaults.cooldownMs,
    eventTtlMs: options.eventTtlMs ?? watcherDefaults.eventTtlMs,
    healthyMs: options.healthyMs ?? watcherDefaults.healthyMs,
  };
  const shortest = Math.min(...Object.values(settings).filter((ms) => ms > 0), 25_000);
  const sweepMs = options.sweepMs ?? Math.max(100, Math.round(shortest / 5));

  const enricher = createFaultEnricher({
    cache: (kind, name, namespace) => caches.get(kind)?.get(name, namespace || undefined),
    podsIn: (namespace) => caches.get('Pod')?.list(namespace) ?? [],
    events,
    ...(options.fetchLogs !== false && { logTail: lastLogLines }),
  });

  const tracker = new FaultTracker(
    { cluster: options.cluster, sourceName: options.sourceName ?? 'kube-watcher', ...settings },
    (fault) => {
      const previous = inFlight.get(fault.faultId) ?? synced;
      const report = previous
        .then(() => enricher.enrich(fault))
        .catch((error: unknown) => {
          logger.warn({ err: error, faultId: fault.faultId }, 'fault context not read; reporting it without');
          return fault;
        })
        .then((enriched) => queue.deliver(enriched));
      inFlight.set(fault.faultId, report);
      void report.finally(() => {
        if (inFlight.get(fault.faultId) === report) inFlight.delete(fault.faultId);
      });
    },
  );

  async function lastLogLines(fault: Fault, container: string): Promise<string[] | undefined> {
    const namespace = fault.resource.namespace;
    if (!namespace) return undefined;
    // The crashed instance: the previous one once the kubelet has restarted it, else the current one.
    for (const previous of [true, false]) {
      try {
        const log = await core.readNamespacedPodLog({
          name: fault.resource.name,
          namespace,
          container,
          previous,
          tailLines: 20,
          limitBytes: 16_384,
        });
        return log
          .split('\n')
          .filter((line) => line.trim() !== '')
          .slice(-faultLimits.logLines)
          .map((line) => redactBounded(line, faultLimits.logLine));
      } catch {
        // no such instance, no kubelet, or no right to read logs: try the other, else the fault goes without
      }
    }
    return undefined;
  }

  const keyOf = (object: KubernetesObject) =>
    object.metadata?.uid ??
    `${object.kind ?? ''}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

  /**
   * Starts an informer; resolves when its first list has been tried (listed, or failed and retried later). It
   * rejects only when start() waits for the lists and the watch could not be started.
   */
  function watch<T extends KubernetesObject>(
    name: string,
    kind: string,
    path: string,
    list: () => Promise<{ items: T[] }>,
    onObject: (object: T, deleted: boolean) => void,
  ): Promise<void> {
    const informer = makeInformer<T>(kubeconfig, path, list);
    caches.set(kind, informer);
    informer.on('add', (object) => onObject(object, false));
    informer.on('update', (object) => onObject(object, false));
    informer.on('delete', (object) => onObject(object, true));
    informers.push(informer);
    return superviseInformer(informer, {
      name,
      logger,
      signal: stopping.signal,
      failFast: options.waitForList !== false,
    });
  }

  const observed =
    <T extends KubernetesObject>(rules: (object: T) => readonly GracedFault[]) =>
    (object: T, deleted: boolean) => {
      if (object.metadata?.namespace !== undefined && !passesFilters(object, options.filters)) return;
      const now = clock.now();
      if (deleted) tracker.forget(keyOf(object), now);
      else tracker.observe(keyOf(object), rules(object), now);
    };

  const observedPod = (pod: V1Pod, deleted: boolean) => {
    if (!passesFilters(pod, options.filters)) return;
    const now = clock.now();
    if (deleted) tracker.forget(keyOf(pod), now);
    else tracker.observe(keyOf(pod), podFaults(pod), now, containerHealth(pod));
  };

  const onEvent = (event: CoreV1Event, deleted: boolean) => {
    if (deleted || !passesNamespace(event.involvedObject.namespace ?? '', options.filters)) return;
    events.remember(event);
    const fault = eventFault(event);
    if (fault) tracker.observeEvent(fault, clock.now());
  };

  let sweeper: NodeJS.Timeout | undefined;

  return {
    async start() {
      if (stopping.signal.aborted) stopping = new AbortController();
      const listed = [
        watch('events', 'Event', '/api/v1/events', () => core.listEventForAllNamespaces(), onEvent),
        watch('pods', 'Pod', '/api/v1/pods', () => core.listPodForAllNamespaces(), observedPod),
        watch('nodes', 'Node', '/api/v1/nodes', () => core.listNode(), observed(nodeFaults)),
        watch(
          'replicasets',
          'ReplicaSet',
          '/apis/apps/v1/replicasets',
          () => apps.listReplicaSetForAllNamespaces(),
          () => undefined, // a cache only: pods' owner chains go through it
        ),
        watch(
          'jobs',
          'Job',
          '/apis/batch/v1/jobs',
          () => batch.listJobForAllNamespaces(),
          observed(jobFaults),
        ),
        watch(
          'deployments',
          'Deployment',
          '/apis/apps/v1/deployments',
          () => apps.listDeploymentForAllNamespaces(),
          observed(deploymentFaults),
        ),
        watch(
          'statefulsets',
          'StatefulSet',
          '/apis/apps/v1/statefulsets',
          () => apps.listStatefulSetForAllNamespaces(),
          observed((s) => setFaults('StatefulSet', s)),
        ),
        watch(
          'daemonsets',
          'DaemonSet',
          '/apis/apps/v1/daemonsets',
          () => apps.listDaemonSetForAllNamespaces(),
          observed((s) => setFaults('DaemonSet', s)),
        ),
        watch(
          'persistentvolumeclaims',
          'PersistentVolumeClaim',
          '/api/v1/persistentvolumeclaims',
          () => core.listPersistentVolumeClaimForAllNamespaces(),
          observed(pvcFaults),
        ),
      ];
      const settled = Promise.allSettled(listed).then(markSynced);
      sweeper = setInterval(() => tracker.sweep(clock.now()), sweepMs);
      sweeper.unref();
      if (options.waitForList !== false) {
        await Promise.all(listed);
        await settled;
      }
      logger.info({ cluster: options.cluster }, 'Kubernetes fault watcher started');
    },
    async stop() {
      stopping.abort(new WatchkeeperError('stopping', 'the fault watcher is stopping'));
      if (sweeper) clearInterval(sweeper);
      markSynced();
      await Promise.all(informers.splice(0).map((informer) => informer.stop().catch(() => undefined)));
      await queue.stop();
    },
    activeFaults: () => tracker.active().map((fault) => enricher.placed(fault)),
    backlog: () => queue.backlog(),
  };
}
