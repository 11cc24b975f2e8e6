/**
 * `npm run bench:slack`: a whole Watchkeeper (PostgreSQL, NATS, the S3 server, the harness cluster) posting to the
 * Slack emulator while 20 chatty scripted runs go at once. Measures (1) from a pod's status write on the apiserver
 * to its incident card in Slack, (2) from an agent's progress event to the first Slack write showing it, and
 * (3) Slack calls per incident in any minute. Last line: one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { createGhostPod, podStatus, setPodStatus } from '../intake/cluster-objects.ts';
import { applyManifests, createNamespace, deleteNamespace, kubeClient } from '../harness/kube-helpers.ts';
import { ensureKube } from '../harness/services/kube.ts';
import { ensureNats } from '../harness/services/nats.ts';
import { ensureS3 } from '../harness/services/s3.ts';
import { stormSettings, threadsOf } from '../slack/chatty-storm.ts';
import { incidentsChannel, startSlackRuntime } from '../slack/slack-runtime.ts';
import { withBenchDatabase } from './bench-database.ts';

const pods = Number(process.env.BENCH_PODS ?? 20);
const steps = 40;
const stepDelayMs = 150;

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** "Triage by chatty: 12 steps so far" → 12; finished or stopped → all of them. */
function stepsShown(text: string): number {
  const match = /: (\d+) steps? so far/.exec(text);
  return match ? Number(match[1]) : /: (finished|failed|stopped)/.test(text) ? Number.POSITIVE_INFINITY : 0;
}

const kube = await ensureKube();
const client = kubeClient(kube.kubeconfigPath);
await applyManifests(client, [
  await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
]);
const namespace = await createNamespace(client, 'bench-slack');
const node = `ghost-${namespace}`;
const [nats, s3] = await Promise.all([ensureNats(), ensureS3()]);

const result = await withBenchDatabase(async (url) => {
  const wk = await startSlackRuntime(
    {
      ...stormSettings(pods, { steps, delayMs: stepDelayMs }),
      watcher: { kubeconfig: kube.kubeconfigPath, namespaces: { include: [namespace] } },
    },
    { database: { url, drop: () => Promise.resolve() }, natsUrl: nats.url, s3 },
  );
  const events: { runId: string; step: number; at: number }[] = [];
  const stepsSoFar = new Map<string, number>();
  const controller = new AbortController();
  const following = (async () => {
    for await (const message of wk.runtime.bus.subscribe(subjects.allRunProgress, {
      from: 'new',
      signal: controller.signal,
    })) {
      const event = message.data as ProgressEvent;
      if (event.type !== 'tool.called') continue;
      const step = (stepsSoFar.get(event.runId) ?? 0) + 1;
      stepsSoFar.set(event.runId, step);
      events.push({ runId: event.runId, step, at: new Date(event.at).getTime() });
    }
  })().catch(() => undefined);
  try {
    const faultToPost: number[] = [];
    for (let i = 0; i < pods; i += 1) {
      const name = `api-${i}-${randomUUID().slice(0, 4)}`;
      await createGhostPod(client, namespace, name, {}, node);
      const written = Date.now();
      await setPodStatus(client, namespace, name, podStatus.crashLooping());
      await waitFor(
        `the card of ${name}`,
        () => wk.slack.messages.some((m) => m.threadTs === undefined && m.text.includes(name)),
        10_000,
      );
      const card = wk.slack.messages.find((m) => m.threadTs === undefined && m.text.includes(name));
      faultToPost.push((card?.versions[0]?.at ?? Date.now()) - written);
    }
    const finished = () =>
      threadsOf(wk, incidentsChannel).filter(({ replies }) =>
        replies.some((m) => m.text.includes('finished')),
      ).length;
    await waitFor('every run finished in Slack', () => finished() === pods, 180_000);

    const progressToSlack: number[] = [];
    for (const event of events) {
      const posted = await wk.runtime.store.chat.message(`run:${event.runId}:progress`);
      const message = wk.slack.messages.find((m) => m.ts === posted?.ts);
      const shown = message?.versions.find((v) => v.at >= event.at - 1 && stepsShown(v.text) >= event.step);
      if (shown) progressToSlack.push(shown.at - event.at);
    }
    const perMinute = threadsOf(wk, incidentsChannel).map(({ calls }) => {
      const times = calls.filter((c) => c.status === 200).map((c) => c.at);
      return Math.max(
        0,
        ...times.map((start) => times.filter((t) => t >= start && t < start + 60_000).length),
      );
    });
    return { faultToPost, progressToSlack, perMinute, events: events.length, calls: wk.slack.calls.length };
  } finally {
    controller.abort();
    await following;
    await wk.stop();
  }
});
await deleteNamespace(client, namespace);
await client.core.deleteNode({ name: node }).catch(() => undefined);

const figures = {
  bench: 'slack',
  fault_to_post_p50_ms: Math.round(percentile(result.faultToPost, 50)),
  fault_to_post_p99_ms: Math.round(percentile(result.faultToPost, 99)),
  progress_to_slack_p95_ms: Math.round(percentile(result.progressToSlack, 95)),
  slack_calls_per_incident: Math.max(...result.perMinute),
};
console.log(
  `${pods} crash-looping pods, each triaged by a scripted agent reporting ${steps} steps ${stepDelayMs} ms apart`,
);
console.log(
  `fault → card in Slack (from the apiserver status write): p50 ${figures.fault_to_post_p50_ms} ms, p99 ${figures.fault_to_post_p99_ms} ms (goal p99 < 1,000 ms)`,
);
console.log(
  `progress event → Slack write showing it: p95 ${figures.progress_to_slack_p95_ms} ms over ${result.progressToSlack.length} of ${result.events} steps (goal < 2,000 ms)`,
);
console.log(
  `Slack calls per incident in its busiest minute: max ${figures.slack_calls_per_incident}, median ${percentile(result.perMinute, 50)} (goal ≤ 20); ${result.calls} calls in all`,
);
console.log(JSON.stringify(figures));
process.exit(0);
