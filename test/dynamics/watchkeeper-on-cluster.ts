/**
 * The real Watchkeeper (`watchkeeper start`: watcher, intake, lifecycle, maintenance, as an operator runs it)
 * watching one namespace of the harness cluster, on its own PostgreSQL database, and an observer that reads
 * that database while it runs: the incidents about the namespace, their history, and a timeline of what the
 * kubelet showed beside what Watchkeeper decided, printed when an assertion fails.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { Incident } from '../../core/domain/incident.ts';
import type { TransitionRecord } from '../../core/ports/incident-repository.ts';
import { openStore, type OpenedStore } from '../../core/store/open-store.ts';
import { startCli, type RunningCli } from '../cli/run-cli.ts';
import type { KubeClient } from '../harness/kube-helpers.ts';
import { containerSummary } from '../harness/real-node-helpers.ts';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import type { RealNode } from '../harness/real-node-helpers.ts';

/** Where the scenarios run: the harness services, from `inject` in tests or started directly by the bench. */
export interface DynamicsEnv {
  readonly kubeconfigPath: string;
  readonly node: RealNode;
  readonly postgresUrl: string;
}

async function createDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `wk_dyn_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * Watcher settings of the test config, each shorter than the default only where waiting out the default adds
 * nothing: conditions that must last (unavailable replicas, Pending PVCs) count after 20 s instead of 120 s;
 * Event-only faults (failing probes) clear 60 s after their last Event instead of 10 min. The cooldown stays at
 * its real default (60 s): it is what made crash loops look fixed while still crashing.
 */
export const watcherSettings = { graceSeconds: 20, eventTtlSeconds: 60 } as const;

/**
 * The quiet period: an incident whose faults stayed clear this long resolves. The core's default is 5 min;
 * WATCHKEEPER_TEST_QUIET_MS overrides what the tests wait for (and `incidentsConfig` what Watchkeeper uses).
 */
export const quietPeriodMs = Number(process.env.WATCHKEEPER_TEST_QUIET_MS ?? 5 * 60_000);
/** Extra `incidents:` lines for the config (e.g. a shorter quiet period, once the config has one). */
export const incidentsConfig: readonly string[] = [];

/**
 * Scenarios run side by side on 2 cores: their `watchkeeper start` processes (tsx compiling the whole bot)
 * start one after another, so none waits minutes for CPU while the others compile.
 */
let startQueue: Promise<unknown> = Promise.resolve();
function startOneAtATime<T>(start: () => Promise<T>): Promise<T> {
  const next = startQueue.then(start, start);
  startQueue = next.catch(() => undefined);
  return next;
}

export interface IncidentView {
  readonly incident: Incident;
  readonly history: readonly TransitionRecord[];
  readonly memberResources: readonly string[];
}

export interface TimelineEntry {
  readonly atS: number;
  readonly kubelet: string;
  readonly watchkeeper: string;
}

export interface WatchedNamespace {
  readonly cli: RunningCli;
  readonly store: OpenedStore;
  readonly startedAt: number;
  /** Incidents with at least one member fault about an object in the namespace (nodes' incidents left out). */
  incidents(): Promise<IncidentView[]>;
  /** Every transition into triage_queued of those incidents: one per triage Watchkeeper asked for. */
  triageRequests(): Promise<number>;
  /** Records one timeline entry: what `pods()` shows next to the incidents' states. */
  sample(pods: () => Promise<readonly V1Pod[]>): Promise<TimelineEntry>;
  readonly timeline: TimelineEntry[];
  timelineText(): string;
  stop(): Promise<void>;
}

export async function watchNamespace(
  env: DynamicsEnv,
  namespace: string,
  extraWatcherLines: readonly string[] = [],
): Promise<WatchedNamespace> {
  const cwd = await mkdtemp(join(tmpdir(), 'wk-dynamics-'));
  const database = await createDatabase(env.postgresUrl);
  await writeFile(
    join(cwd, 'watchkeeper.yaml'),
    [
      'cluster: harness',
      'server: { port: 0 }',
      'watcher:',
      `  kubeconfig: ${env.kubeconfigPath}`,
      `  namespaces: { include: [${namespace}] }`,
      `  graceSeconds: ${watcherSettings.graceSeconds}`,
      `  eventTtlSeconds: ${watcherSettings.eventTtlSeconds}`,
      ...extraWatcherLines.map((line) => `  ${line}`),
      ...(incidentsConfig.length > 0 ? ['incidents:', ...incidentsConfig.map((l) => `  ${l}`)] : []),
    ].join('\n'),
  );
  const cli = await startOneAtATime(() => {
    const started = startCli(['--config', 'watchkeeper.yaml', 'start'], {
      cwd,
      env: { WATCHKEEPER_DATABASE_URL: database.url },
    });
    return started.waitForLine(/watching .* as cluster harness/, 180_000).then(
      () => started,
      (error: unknown) => {
        started.child.kill('SIGKILL');
        throw error;
      },
    );
  });
  const store = await openStore({ kind: 'postgres', url: database.url });
  const startedAt = Date.now();
  const timeline: TimelineEntry[] = [];

  const incidents = async (): Promise<IncidentView[]> => {
    const views: IncidentView[] = [];
    for (const incident of await store.incidents.list({ cluster: 'harness' })) {
      const members = await store.incidents.members(incident.id);
      const resources: string[] = [];
      for (const member of members) {
        const stored = await store.faults.get('harness', member.faultId);
        const r = stored?.fault.resource;
        if (r)
          resources.push(
            `${r.kind}/${r.namespace ?? ''}/${r.name}:${stored.fault.class}${stored.fault.resolved ? '(clear)' : ''}`,
          );
      }
      if (!resources.some((r) => r.includes(`/${namespace}/`))) continue;
      views.push({
        incident,
        history: await store.incidents.history(incident.id),
        memberResources: resources,
      });
    }
    return views;
  };

  return {
    cli,
    store,
    startedAt,
    timeline,
    incidents,
    async triageRequests() {
      return (await incidents()).flatMap((v) => v.history).filter((h) => h.to === 'triage_queued').length;
    },
    async sample(pods) {
      const [seen, views] = await Promise.all([pods().catch(() => []), incidents()]);
      const entry = {
        atS: Math.round((Date.now() - startedAt) / 1000),
        kubelet:
          seen.length === 0
            ? 'no pod'
            : seen
                .map((p) => `${p.metadata?.name ?? '?'}: ${containerSummary(p)}`)
                .slice(0, 3)
                .join('; ') + (seen.length > 3 ? ` (+${seen.length - 3} pods)` : ''),
        watchkeeper:
          views.length === 0
            ? 'no incident'
            : views
                .map(
                  (v) =>
                    `${v.incident.state.status}${v.incident.state.status === 'resolved' ? ` (${v.incident.state.reason})` : ''} faults=${v.incident.faultCount}`,
                )
                .join('; '),
      };
      timeline.push(entry);
      return entry;
    },
    timelineText() {
      return timeline
        .map(
          (e) => `  ${String(e.atS).padStart(4)}s  kubelet: ${e.kubelet}  |  watchkeeper: ${e.watchkeeper}`,
        )
        .join('\n');
    },
    async stop() {
      cli.child.kill('SIGINT');
      await cli.exited;
      await store.close();
      await database.drop();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** Pods of a namespace (optionally with a label selector), for the timeline. */
export function podsOf(
  client: KubeClient,
  namespace: string,
  labelSelector?: string,
): () => Promise<V1Pod[]> {
  return async () =>
    (
      await client.core.listNamespacedPod({
        namespace,
        ...(labelSelector !== undefined && { labelSelector }),
      })
    ).items;
}
