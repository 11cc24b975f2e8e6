/**
 * Which fault classes are one problem seen at different moments. A crash-looping container shows, cycle after
 * cycle, `terminated` with a non-zero exit (ContainerErrorExit), `waiting: CrashLoopBackOff` and, when the
 * kernel kills it, OOMKilled: one fault whose class is refined, never cleared and re-opened by the kubelet's
 * momentary state. A problem also says what ends it when its condition is not visible for a moment.
 */
import type { FaultClass } from '../../core/domain/fault.ts';

/**
 * `healthy`: the container has run ready, without restarting, for the healthy period (or finished with 0).
 * `started`: the container has started at all (its image was pulled, its configuration resolved).
 */
export type HeldUntil = 'healthy' | 'started';

interface Problem {
  /** Names the problem in the faultId; the family's first class, so ids of that class did not change. */
  readonly key: FaultClass;
  /** Least to most specific: a fault keeps the most specific class it has shown. */
  readonly classes: readonly FaultClass[];
  readonly heldUntil: HeldUntil;
}

const problems: readonly Problem[] = [
  {
    key: 'CrashLoopBackOff',
    classes: ['ContainerErrorExit', 'CrashLoopBackOff', 'OOMKilled'],
    heldUntil: 'healthy',
  },
  { key: 'ImagePullBackOff', classes: ['ImagePullBackOff'], heldUntil: 'started' },
  { key: 'ContainerConfigError', classes: ['ContainerConfigError'], heldUntil: 'started' },
];

const byClass = new Map(problems.flatMap((p) => p.classes.map((c) => [c, p] as const)));

/** The part of a faultId that names the problem: the family's key, or the class itself. */
export function problemKey(cls: FaultClass): string {
  return byClass.get(cls)?.key ?? cls;
}

/** What ends a container problem whose condition is not visible right now; `undefined`: nothing holds it. */
export function heldUntil(cls: FaultClass): HeldUntil | undefined {
  return byClass.get(cls)?.heldUntil;
}

/** True when `next` tells more than `current` about the same problem (ContainerErrorExit → OOMKilled). */
export function refines(next: FaultClass, current: FaultClass): boolean {
  const problem = byClass.get(current);
  if (!problem || byClass.get(next) !== problem) return false;
  return problem.classes.indexOf(next) > problem.classes.indexOf(current);
}
