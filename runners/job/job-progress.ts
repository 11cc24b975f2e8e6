/**
 * A Job run's progress, as the in-pod runner numbered it: read live from JetStream (the pod publishes on the
 * run's subject; resumable after any sequence), or, when NATS is not configured, from the pod's log (each event
 * is one JSON line on its stdout), labelled delayed. Either way each event is checked, stored and (log only)
 * published through the run's RunProgress, so nothing is lost or posted twice.
 */
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Log, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { subjects } from '../../core/ports/subjects.ts';
import type { RunProgress } from '../sandbox/run-progress.ts';
import type { JobRef } from './job-sandbox.ts';

export interface JobProgressFollower {
  /** Called with the Job's pod whenever it is read. */
  onPod(pod: V1Pod): void;
  /** After the Job ended: reads what is left (up to `graceMs` for the pod's last events), then stops. */
  finish(graceMs: number): Promise<void>;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
}

/** Live from JetStream: the events are on the bus already; they are stored, never published again. */
export function followJobProgressFromBus(
  bus: Bus,
  runId: string,
  progress: RunProgress,
  logger: Logger,
): JobProgressFollower {
  const stop = new AbortController();
  const reading = (async () => {
    for await (const message of bus.subscribe(subjects.runProgress(runId), {
      from: 'all',
      signal: stop.signal,
    })) {
      await progress.record(message.data, { publish: false });
    }
  })().catch((error: unknown) => {
    if (!stop.signal.aborted)
      logger.warn({ err: error, runId }, "could not follow the run's progress on NATS");
  });
  return {
    onPod: () => undefined,
    async finish(graceMs) {
      await until(() => progress.finished(), graceMs);
      stop.abort();
      await reading;
    },
  };
}

/** From the pod's log when there is no NATS: the same events, later; each is labelled delayed. */
export function followJobProgressFromLog(
  kubeconfig: KubeConfig,
  ref: JobRef,
  progress: RunProgress,
  logger: Logger,
): JobProgressFollower {
  const log = new Log(kubeconfig);
  let podName: string | undefined;
  let following: Promise<void> | undefined;
  let streamEnded = false;
  let chain: Promise<void> = Promise.resolve();

  const lines = () => {
    let rest = '';
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        const text = rest + chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) chain = chain.then(() => recordLine(line));
        done();
      },
      final(done) {
        if (rest) chain = chain.then(() => recordLine(rest));
        done();
      },
    });
  };
  async function recordLine(line: string): Promise<void> {
    if (!line.trimStart().startsWith('{')) return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof event === 'object' && event !== null)
      await progress.record({ ...event, delayed: true }, { publish: true });
  }
  const read = async (follow: boolean) => {
    if (!podName) return;
    const sink = lines();
    const ended = new Promise<void>((resolve) => sink.on('finish', resolve).on('error', () => resolve()));
    await log.log(ref.namespace, podName, 'agent', sink, { follow });
    await ended;
  };

  return {
    onPod(pod) {
      const phase = pod.status?.phase;
      if (
        following ||
        !pod.metadata?.name ||
        (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed')
      )
        return;
      podName = pod.metadata.name;
      following = read(true)
        .catch((error: unknown) =>
          logger.warn({ err: error, runId: ref.name }, "could not follow the pod's log"),
        )
        .finally(() => (streamEnded = true));
    },
    async finish(graceMs) {
      if (following) await until(() => streamEnded, graceMs);
      // Whatever the live stream missed: already stored events are ignored by their sequence.
      await read(false).catch((error: unknown) =>
        logger.warn({ err: error, runId: ref.name }, "could not read the pod's log"),
      );
      await chain;
    },
  };
}
