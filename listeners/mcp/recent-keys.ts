/** A bounded set of recently seen keys (oldest forgotten first), for dropping repeated deliveries cheaply. */
export class RecentKeys {
  private readonly keys = new Set<string>();
  private readonly max: number;

  constructor(max = 50_000) {
    this.max = max;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.max) {
      const oldest = this.keys.values().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
  }
}

/** The identity of one delivery of a fault: the same condition, state and observation. */
export function deliveryKey(fault: { faultId: string; resolved: boolean; observedAt: Date }): string {
  return `${fault.faultId}|${String(fault.resolved)}|${fault.observedAt.getTime()}`;
}
