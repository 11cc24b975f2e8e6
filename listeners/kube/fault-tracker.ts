/**
 * Turns level observations ("these faults hold on this object now") into edges: a fault is reported when it
 * appears (after its grace period, and not again within the cooldown after it cleared), and reported resolved
 * when it disappears, when its object is deleted, or, for Event-only faults, when the Events stop.
 *
 * A container's problem (problems.ts) is not over when the kubelet stops showing it for a moment: it is held
 * until the container has run healthy for the healthy period (a crash loop) or has started (an image pull,
 * a configuration error). While it holds, a more specific class refines it: re-reported with the same faultId.
 */
import type { Fault } from '../../core/domain/fault.ts';
import { classSeverity } from '../../core/domain/policies/severity-rules.ts';
import { faultIdOf, type DetectedFault } from './detected-fault.ts';
import type { ContainerHealth } from './pod-rules.ts';
import { heldUntil, refines } from './problems.ts';
import type { GracedFault } from './workload-rules.ts';

export interface TrackerSettings {
  readonly cluster: string;
  readonly sourceName: string;
  /** Conditions that carry `since` are reported once they last this long. */
  readonly graceMs: number;
  /** A fault that clears and comes back within this time is reported again only when the time is up. */
  readonly cooldownMs: number;
  /** An Event-only fault resolves when no matching Event arrived for this long. */
  readonly eventTtlMs: number;
  /** A crash-looping container's fault resolves once it has run ready, without restarting, this long. */
  readonly healthyMs: number;
}

interface Tracked {
  readonly id: string;
  detected: DetectedFault;
  readonly firstSeen: Date;
  since: Date | undefined;
  reported: boolean;
  lastEventAt?: Date;
  /** When it was last reported: each report of a fault is later than the one before, or the store drops it. */
  reportedAt?: Date;
  /** Held while not visible, and its container healthy since then (at this restart count). */
  healthy?: { readonly since: Date; readonly restartCount: number };
}

export class FaultTracker {
  private readonly byObject = new Map<string, Map<string, Tracked>>();
  private readonly fromEvents = new Map<string, Tracked>();
  private readonly clearedAt = new Map<string, Date>();
  /** How each pod's containers were doing when last seen, by object key (the pod's uid), for Event-only faults. */
  private readonly podHealth = new Map<string, ReadonlyMap<string, ContainerHealth>>();

  private readonly settings: TrackerSettings;
  private readonly emit: (fault: Fault, detected: DetectedFault) => void;

  constructor(settings: TrackerSettings, emit: (fault: Fault, detected: DetectedFault) => void) {
    this.settings = settings;
    this.emit = emit;
  }

  /**
   * The complete set of faults that hold for one object now. `health` (pods only) says how each container is
   * doing, so a container's problem is held through the moments it is not visible; without it nothing is held.
   */
  observe(
    objectKey: string,
    detected: readonly GracedFault[],
    now: Date,
    health?: ReadonlyMap<string, ContainerHealth>,
  ): void {
    if (health) this.podHealth.set(objectKey, health);
    else this.podHealth.delete(objectKey);
    const previous = this.byObject.get(objectKey) ?? new Map<string, Tracked>();
    const current = new Map<string, Tracked>();
    for (const fault of detected) {
      const id = faultIdOf(this.settings.cluster, fault);
      const known = current.get(id) ?? previous.get(id);
      const since = fault.since?.getTime() === 0 ? (known?.since ?? now) : fault.since;
      const tracked: Tracked = known ?? { id, detected: fault, firstSeen: now, since, reported: false };
      this.refine(tracked, fault, now);
      tracked.since = since;
      delete tracked.healthy;
      current.set(id, tracked);
      this.maybeReport(tracked, now);
    }
    for (const [id, tracked] of previous) {
      if (current.has(id)) continue;
      if (this.holds(tracked, health, now)) current.set(id, tracked);
      else this.clear(tracked, now);
    }
    if (current.size > 0) this.byObject.set(objectKey, current);
    else this.byObject.delete(objectKey);
  }

  /** The object is gone: everything that held on it is resolved. */
  forget(objectKey: string, now: Date): void {
    this.observe(objectKey, [], now);
    for (const [id, tracked] of this.fromEvents) {
      if (tracked.detected.resource.uid !== objectKey) continue;
      this.fromEvents.delete(id);
      this.clear(tracked, now);
    }
  }

  /** An Event-only fault was seen again. */
  observeEvent(fault: DetectedFault, now: Date): void {
    const id = faultIdOf(this.settings.cluster, fault);
    const tracked = this.fromEvents.get(id) ?? {
      id,
      detected: fault,
      firstSeen: now,
      since: undefined,
      reported: false,
    };
    tracked.detected = fault;
    tracked.lastEventAt = now;
    this.fromEvents.set(id, tracked);
    this.maybeReport(tracked, now);
  }

  /**
   * Reports what outlasted its grace or cooldown, resolves held faults whose container has now been healthy
   * for the healthy period, and Event-only faults whose Events stopped.
   */
  sweep(now: Date): void {
    for (const [objectKey, faults] of this.byObject) {
      for (const [id, tracked] of faults) {
        if (tracked.healthy && this.elapsed(tracked.healthy.since, now) >= this.settings.healthyMs) {
          faults.delete(id);
          this.clear(tracked, now);
        } else this.maybeReport(tracked, now);
      }
      if (faults.size === 0) this.byObject.delete(objectKey);
    }
    for (const [id, tracked] of this.fromEvents) {
      const quiet = this.elapsed(tracked.lastEventAt ?? tracked.firstSeen, now) >= this.settings.eventTtlMs;
      if (quiet && !this.stillFailing(tracked)) {
        this.fromEvents.delete(id);
        this.clear(tracked, now);
      } else this.maybeReport(tracked, now);
    }
    for (const [id, at] of this.clearedAt) {
      if (this.elapsed(at, now) > this.settings.cooldownMs) this.clearedAt.delete(id);
    }
  }

  /** Faults that hold right now (held ones included) and have been reported. */
  active(): Fault[] {
    const all = [...[...this.byObject.values()].flatMap((m) => [...m.values()]), ...this.fromEvents.values()];
    return all.filter((t) => t.reported).map((t) => this.toFault(t, false, t.firstSeen));
  }

  /**
   * Whether an Event-only fault's container is still not healthy. The kubelet's event spam filter stops sending
   * a probe's Unhealthy Events after a burst, so quiet Events alone do not mean the probe passes again.
   */
  private stillFailing(tracked: Tracked): boolean {
    const { resource, container } = tracked.detected;
    if (resource.uid === undefined || container === undefined) return false;
    const state = this.podHealth.get(resource.uid)?.get(container.split(':')[0] ?? container);
    return state !== undefined && !state.healthy;
  }

  private elapsed(from: Date, now: Date): number {
    return now.getTime() - from.getTime();
  }

  /** Takes the new observation unless it is less specific; a reported fault that got more specific is re-sent. */
  private refine(tracked: Tracked, fault: DetectedFault, now: Date): void {
    const before = tracked.detected.class;
    if (fault.class !== before && !refines(fault.class, before)) return;
    tracked.detected = fault;
    if (tracked.reported && fault.class !== before) this.report(tracked, false, now);
  }

  /** Whether a fault that is not visible now still holds, because its container is not yet healthy. */
  private holds(
    tracked: Tracked,
    health: ReadonlyMap<string, ContainerHealth> | undefined,
    now: Date,
  ): boolean {
    const until = heldUntil(tracked.detected.class);
    const container = tracked.detected.container;
    const state = container === undefined ? undefined : health?.get(container);
    if (until === undefined || state === undefined) return false;
    if (until === 'started') return !state.started;
    if (!state.healthy) {
      delete tracked.healthy;
      return true;
    }
    if (tracked.healthy?.restartCount !== state.restartCount) {
      tracked.healthy = { since: now, restartCount: state.restartCount };
    }
    return this.elapsed(tracked.healthy.since, now) < this.settings.healthyMs;
  }

  private maybeReport(tracked: Tracked, now: Date): void {
    if (tracked.reported) return;
    if (tracked.since && this.elapsed(tracked.since, now) < this.settings.graceMs) return;
    const cleared = this.clearedAt.get(tracked.id);
    if (cleared && this.elapsed(cleared, now) < this.settings.cooldownMs) return;
    tracked.reported = true;
    this.report(tracked, false, now);
  }

  private clear(tracked: Tracked, now: Date): void {
    if (!tracked.reported) return;
    this.clearedAt.set(tracked.id, now);
    this.report(tracked, true, now);
  }

  private report(tracked: Tracked, resolved: boolean, now: Date): void {
    const last = tracked.reportedAt?.getTime() ?? -Infinity;
    const at = now.getTime() > last ? now : new Date(last + 1);
    tracked.reportedAt = at;
    this.emit(this.toFault(tracked, resolved, at), tracked.detected);
  }

  private toFault(tracked: Tracked, resolved: boolean, observedAt: Date): Fault {
    const { detected } = tracked;
    return {
      source: { kind: 'kube-watcher', name: this.settings.sourceName },
      cluster: this.settings.cluster,
      faultId: tracked.id,
      class: detected.class,
      severity: classSeverity[detected.class],
      resource: detected.resource,
      ...(detected.container !== undefined && { container: detected.container }),
      context: detected.context,
      observedAt,
      resolved,
    };
  }
}
