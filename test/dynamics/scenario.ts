/**
 * One fault scenario on the real node, end to end: a namespace, the real Watchkeeper watching it, a workload
 * that really fails, a watch over several of the kubelet's real cycles, the fix, and the wait for the incident
 * to resolve. Returns what an on-call person would notice (how many incidents and triages, whether it ever
 * looked fixed while still broken, how long it took to close after the fix) with the observed timeline.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import type { RealNode } from '../harness/real-node-helpers.ts';
import {
  podsOf,
  quietPeriodMs,
  watchNamespace,
  type IncidentView,
  type WatchedNamespace,
  type DynamicsEnv,
} from './watchkeeper-on-cluster.ts';

export interface ScenarioContext {
  readonly client: KubeClient;
  readonly node: RealNode;
  readonly namespace: string;
}

export interface Scenario {
  readonly name: string;
  /** Creates the failing workload. */
  create(ctx: ScenarioContext): Promise<void>;
  /** The pods to show in the timeline (default: every pod of the namespace). */
  readonly labelSelector?: string;
  /** True once the kubelet has shown enough of the failure (e.g. several restarts); the watch ends then. */
  watchedEnough(pods: readonly V1Pod[], elapsedMs: number): boolean;
  /** Longest the failure is watched before the scenario gives up waiting for `watchedEnough`. */
  readonly watchTimeoutMs: number;
  /** Applies the fix. Omit for scenarios that only check folding. */
  fix?(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioResult {
  readonly name: string;
  readonly incidents: readonly IncidentView[];
  readonly triageRequests: number;
  /** Transitions to resolved that happened before the fix, while the workload was still failing. */
  readonly resolvedBeforeFix: number;
  /** Seconds from the fix until the incident was resolved; undefined when it did not resolve in time. */
  readonly resolveAfterFixS?: number;
  readonly resolvedReason?: string;
  /** Open incidents whose faults all stopped firing, counted a quiet period after the fix (goal 0). */
  readonly openWithoutFiringAfterQuiet: number;
  readonly watchedS: number;
  readonly timeline: string;
}

const sampleEveryMs = 3_000;

async function sampleUntil(
  watched: WatchedNamespace,
  pods: () => Promise<V1Pod[]>,
  done: (pods: readonly V1Pod[]) => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await watched.sample(pods);
    const seen = await pods().catch(() => []);
    if (await done(seen)) return true;
    if (Date.now() > deadline) return false;
    await sleep(sampleEveryMs);
  }
}

export async function runScenario(env: DynamicsEnv, scenario: Scenario): Promise<ScenarioResult> {
  const client = kubeClient(env.kubeconfigPath);
  const node = env.node;
  const namespace = await createNamespace(client, `dyn-${scenario.name}`);
  const ctx = { client, node, namespace };
  const watched = await watchNamespace(env, namespace).catch(async (error: unknown) => {
    await deleteNamespace(client, namespace);
    throw error;
  });
  const pods = podsOf(client, namespace, scenario.labelSelector);
  try {
    await scenario.create(ctx);
    const watchStart = Date.now();
    await sampleUntil(
      watched,
      pods,
      (seen) => scenario.watchedEnough(seen, Date.now() - watchStart),
      scenario.watchTimeoutMs,
    );
    // The fault must have reached Watchkeeper before the fix, or "resolves after the fix" means nothing.
    await sampleUntil(watched, pods, async () => (await watched.incidents()).length > 0, 60_000);
    const watchedS = Math.round((Date.now() - watchStart) / 1000);
    const fixAt = new Date();
    let resolveAfterFixS: number | undefined;
    let resolvedReason: string | undefined;
    let openWithoutFiringAfterQuiet = 0;
    if (scenario.fix) {
      await scenario.fix(ctx);
      const resolvedAll = async () => {
        const views = await watched.incidents();
        return (
          views.length > 0 &&
          views.every((v) => v.incident.state.status === 'resolved' || v.incident.state.status === 'closed')
        );
      };
      // The quiet period, plus a minute for the maintenance pass and the watcher's own "healthy for a while".
      if (await sampleUntil(watched, pods, resolvedAll, quietPeriodMs + 60_000)) {
        resolveAfterFixS = Math.round((Date.now() - fixAt.getTime()) / 1000);
        const resolved = (await watched.incidents())[0]?.incident.state;
        resolvedReason = resolved?.status === 'resolved' ? resolved.reason : undefined;
      } else {
        for (const view of await watched.incidents()) {
          const open = view.incident.state.status !== 'resolved' && view.incident.state.status !== 'closed';
          if (open && (await watched.store.incidents.countFiringMembers(view.incident.id)) === 0) {
            openWithoutFiringAfterQuiet += 1;
          }
        }
      }
    }
    const incidents = await watched.incidents();
    const resolvedBeforeFix = incidents
      .flatMap((v) => v.history)
      .filter((h) => h.to === 'resolved' && h.at.getTime() < fixAt.getTime()).length;
    return {
      name: scenario.name,
      incidents,
      triageRequests: await watched.triageRequests(),
      resolvedBeforeFix,
      ...(resolveAfterFixS !== undefined && { resolveAfterFixS }),
      ...(resolvedReason !== undefined && { resolvedReason }),
      openWithoutFiringAfterQuiet,
      watchedS,
      timeline: `${scenario.name} (fix at ${Math.round((fixAt.getTime() - watched.startedAt) / 1000)}s):\n${watched.timelineText()}\n  incidents: ${JSON.stringify(
        incidents.map((v) => ({
          title: v.incident.title,
          state: v.incident.state.status,
          members: v.memberResources,
          history: v.history.map(
            (h) =>
              `${Math.round((h.at.getTime() - watched.startedAt) / 1000)}s ${h.from}->${h.to} (${h.reason})`,
          ),
        })),
        null,
        1,
      )}`,
    };
  } finally {
    await watched.stop();
    await deleteNamespace(client, namespace);
  }
}

/** Highest restart count among the pods' first containers. */
export function maxRestarts(pods: readonly V1Pod[]): number {
  return Math.max(0, ...pods.map((p) => p.status?.containerStatuses?.[0]?.restartCount ?? 0));
}

/** The waiting reason of any pod's first container, if one matches. */
export function someWaiting(pods: readonly V1Pod[], reason: string): boolean {
  return pods.some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === reason);
}
