/**
 * The container statuses a real kubelet writes, moment by moment, for the failures it cycles through: a crash
 * loop alternates `terminated` (non-zero exit), `waiting: CrashLoopBackOff` with `lastState.terminated`, and a
 * short `running`; an image that cannot be pulled alternates `ErrImagePull` and `ImagePullBackOff`. Tests replay
 * these sequences (with the admin client, or straight into the rules) instead of one static state.
 */
import type { V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

type PodStatus = NonNullable<V1Pod['status']>;

const at = new Date('2026-12-01T10:00:00Z');

function pod(status: V1ContainerStatus, phase = 'Running'): PodStatus {
  return {
    phase,
    conditions: [{ type: 'Ready', status: status.ready ? 'True' : 'False' }],
    containerStatuses: [status],
  };
}

const exited = (exitCode: number, reason: string): NonNullable<V1ContainerState['terminated']> => ({
  exitCode,
  reason,
  message: reason === 'OOMKilled' ? '' : 'panic: cannot reach db',
  startedAt: at,
  finishedAt: at,
});

const container = (restartCount: number, state: V1ContainerState, last?: V1ContainerState) => ({
  name: 'app',
  image: 'registry.example/app:1',
  imageID: 'registry.example/app@sha256:0',
  restartCount,
  ready: state.running !== undefined,
  started: state.running !== undefined,
  state,
  ...(last && { lastState: last }),
});

/** One moment of a crash loop, after `restarts` restarts; `reason` is the exit's (Error, OOMKilled). */
export const crashLoop = {
  /** `phase` Failed or Succeeded: the pod is done (restartPolicy Never or OnFailure). */
  exited: (restarts: number, exitCode = 1, reason = 'Error', phase = 'Running'): PodStatus =>
    pod(
      container(
        restarts,
        { terminated: exited(exitCode, reason) },
        restarts > 0 ? { terminated: exited(1, 'Error') } : undefined,
      ),
      phase,
    ),
  backingOff: (restarts: number, exitCode = 1, reason = 'Error'): PodStatus =>
    pod(
      container(
        restarts,
        { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app' } },
        { terminated: exited(exitCode, reason) },
      ),
    ),
  /** Restarted and running (ready: no readiness probe), its last exit still on record. */
  running: (restarts: number, exitCode = 1, reason = 'Error'): PodStatus =>
    pod(container(restarts, { running: { startedAt: at } }, { terminated: exited(exitCode, reason) })),
};

/** The sequence a kubelet shows over `cycles` crash cycles: exit → back-off → running → exit → … */
export function crashCycles(cycles: number, from = 0): PodStatus[] {
  const states: PodStatus[] = [];
  for (let restart = from; restart < from + cycles; restart += 1) {
    states.push(crashLoop.exited(restart), crashLoop.backingOff(restart), crashLoop.running(restart + 1));
  }
  return states;
}

export const imagePull = {
  failed: (): PodStatus =>
    pod(
      container(0, {
        waiting: { reason: 'ErrImagePull', message: 'failed to pull image "127.0.0.1:1/app:1"' },
      }),
      'Pending',
    ),
  backingOff: (): PodStatus =>
    pod(
      container(0, {
        waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "127.0.0.1:1/app:1"' },
      }),
      'Pending',
    ),
  /** Between attempts the kubelet may show the container as merely waiting to be created. */
  creating: (): PodStatus => pod(container(0, { waiting: { reason: 'ContainerCreating' } }), 'Pending'),
  started: (): PodStatus => pod(container(0, { running: { startedAt: at } })),
};
