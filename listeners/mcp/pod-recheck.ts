/**
 * For a server that never sends resolutions: the firing pod faults it delivered, re-checked against the cluster
 * on a schedule. A pod the cluster no longer has (404, or a new pod under the same name) is reported cleared,
 * "pod gone". Bounded: at most `maxTracked` faults are held, at most `perRound` are checked per round (those
 * checked longest ago first); a failed check changes nothing and is tried again next round.
 */
import type { Fault } from '../../core/domain/fault.ts';
import { wantsRecheck, type ClusterAccess } from './owner-lookup.ts';

export interface PodRecheckOptions {
  readonly access: ClusterAccess;
  /** Where the clear goes (the same sink the source's faults go to). */
  readonly clear: (fault: Fault) => Promise<unknown>;
  readonly maxTracked?: number;
  /** A fault not delivered again for this long is forgotten (its TTL has expired it meanwhile). */
  readonly forgetAfterMs?: number;
  readonly perRound?: number;
  readonly now?: () => Date;
}

export const podGoneReason = 'pod gone';

export class PodRecheck {
  private readonly options: PodRecheckOptions;
  /** Insertion order = check order: a checked fault moves to the back. */
  private readonly tracked = new Map<string, { readonly fault: Fault; readonly seenAt: number }>();
  private running: Promise<number> | undefined;

  constructor(options: PodRecheckOptions) {
    this.options = options;
  }

  /** Called with every fault the source delivered: firing pod faults are tracked, a resolution forgets one. */
  observe(fault: Fault): void {
    const key = `${fault.cluster}\u0000${fault.faultId}`;
    if (fault.resolved) {
      this.tracked.delete(key);
      return;
    }
    if (!wantsRecheck(fault, this.options.access)) return;
    this.tracked.delete(key);
    this.tracked.set(key, { fault, seenAt: this.now().getTime() });
    const max = this.options.maxTracked ?? 10_000;
    while (this.tracked.size > max) {
      const oldest = this.tracked.keys().next();
      if (oldest.done) break;
      this.tracked.delete(oldest.value);
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  size(): number {
    return this.tracked.size;
  }

  /** One round; resolves with how many faults were reported cleared. Rounds never overlap. */
  round(): Promise<number> {
    this.running ??= this.checkSome().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkSome(): Promise<number> {
    const forgetBefore = this.now().getTime() - (this.options.forgetAfterMs ?? Infinity);
    for (const [key, entry] of this.tracked) if (entry.seenAt < forgetBefore) this.tracked.delete(key);
    const batch = [...this.tracked.entries()].slice(0, this.options.perRound ?? 100);
    let cleared = 0;
    await Promise.all(
      batch.map(async ([key, entry]) => {
        const { fault } = entry;
        const namespace = fault.resource.namespace;
        if (namespace === undefined) return;
        let gone: boolean;
        try {
          const facts = await this.options.access.lookup.find({
            kind: 'Pod',
            namespace,
            name: fault.resource.name,
          });
          gone =
            facts === undefined ||
            (fault.resource.uid !== undefined && facts.uid !== undefined && facts.uid !== fault.resource.uid);
        } catch {
          return; // unknown: keep it, try next round
        }
        if (this.tracked.get(key) !== entry) return; // superseded while we looked
        this.tracked.delete(key);
        if (!gone) {
          this.tracked.set(key, entry); // to the back of the queue
          return;
        }
        try {
          await this.options.clear(podGoneClear(fault, this.now()));
          cleared += 1;
        } catch {
          this.tracked.set(key, entry); // not taken: report it again next round
        }
      }),
    );
    return cleared;
  }
}

/** The resolution Watchkeeper reports itself for a pod fault whose pod is gone. */
export function podGoneClear(fault: Fault, at: Date): Fault {
  const uid = fault.resource.uid === undefined ? '' : ` (uid ${fault.resource.uid})`;
  return {
    ...fault,
    resolved: true,
    observedAt: at > fault.observedAt ? at : new Date(fault.observedAt.getTime() + 1),
    context: {
      ...fault.context,
      reason: podGoneReason,
      resolution: { reason: podGoneReason },
      message: `Pod ${fault.resource.namespace ?? ''}/${fault.resource.name}${uid} no longer exists in the cluster (checked by Watchkeeper; the server sends no resolutions)`,
    },
  };
}
