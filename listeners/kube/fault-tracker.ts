/**
 * Turns level observations ("these faults hold on this object now") into edges: a fault is reported when it
 * appears (after its grace period, and not again within the cooldown after it cleared), and reported resolved
 * when it disappears, when its object is deleted, or, for Event-only faults, when the Events stop.
 */
import type { Fault } from '../../core/domain/fault.ts';
import { classSeverity } from '../../core/domain/policies/severity-rules.ts';
import { faultIdOf, type DetectedFault } from './detected-fault.ts';
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
}

interface Tracked {
  readonly id: string;
  detected: DetectedFault;
  readonly firstSeen: Date;
  since: Date | undefined;
  reported: boolean;
  lastEventAt?: Date;
}

export class FaultTracker {
  private readonly byObject = new Map<string, Map<string, Tracked>>();
  private readonly fromEvents = new Map<string, Tracked>();
  private readonly clearedAt = new Map<string, Date>();

  private readonly settings: TrackerSettings;
  private readonly emit: (fault: Fault, detected: DetectedFault) => void;

  constructor(settings: TrackerSettings, emit: (fault: Fault, detected: DetectedFault) => void) {
    this.settings = settings;
    this.emit = emit;
  }

  /** The complete set of faults that hold for one object now. */
  observe(objectKey: string, detected: readonly GracedFault[], now: Date): void {
    const previous = this.byObject.get(objectKey) ?? new Map<string, Tracked>();
    const current = new Map<string, Tracked>();
    for (const fault of detected) {
      const id = faultIdOf(this.settings.cluster, fault);
      const known = previous.get(id);
      const since = fault.since?.getTime() === 0 ? (known?.since ?? now) : fault.since;
      const tracked: Tracked = known ?? { id, detected: fault, firstSeen: now, since, reported: false };
      tracked.detected = fault;
      tracked.since = since;
      current.set(id, tracked);
      this.maybeReport(tracked, now);
    }
    for (const [id, tracked] of previous) if (!current.has(id)) this.clear(tracked, now);
    if (current.size > 0) this.byObject.set(objectKey, current);
    else this.byObject.delete(objectKey);
  }

  /** The object is gone: everything that held on it is resolved. */
  forget(objectKey: string, now: Date): void {
    this.observe(objectKey, [], now);
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

  /** Reports what outlasted its grace or cooldown, and resolves Event-only faults whose Events stopped. */
  sweep(now: Date): void {
    for (const faults of this.byObject.values())
      for (const tracked of faults.values()) this.maybeReport(tracked, now);
    for (const [id, tracked] of this.fromEvents) {
      const quietFor = now.getTime() - (tracked.lastEventAt ?? tracked.firstSeen).getTime();
      if (quietFor >= this.settings.eventTtlMs) {
        this.fromEvents.delete(id);
        this.clear(tracked, now);
      } else this.maybeReport(tracked, now);
    }
    for (const [id, at] of this.clearedAt) {
      if (now.getTime() - at.getTime() > this.settings.cooldownMs) this.clearedAt.delete(id);
    }
  }

  /** Faults that hold right now and have been reported. */
  active(): Fault[] {
    const all = [...[...this.byObject.values()].flatMap((m) => [...m.values()]), ...this.fromEvents.values()];
    return all.filter((t) => t.reported).map((t) => this.toFault(t, false, t.firstSeen));
  }

  private maybeReport(tracked: Tracked, now: Date): void {
    if (tracked.reported) return;
    if (tracked.since && now.getTime() - tracked.since.getTime() < this.settings.graceMs) return;
    const cleared = this.clearedAt.get(tracked.id);
    if (cleared && now.getTime() - cleared.getTime() < this.settings.cooldownMs) return;
    tracked.reported = true;
    this.emit(this.toFault(tracked, false, now), tracked.detected);
  }

  private clear(tracked: Tracked, now: Date): void {
    if (!tracked.reported) return;
    this.clearedAt.set(tracked.id, now);
    this.emit(this.toFault(tracked, true, now), tracked.detected);
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
