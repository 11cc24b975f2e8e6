/**
 * A durable queue of work in the database. Items are claimed with a lease; a claim whose owner dies expires
 * and the item becomes claimable again, so work is never lost, and never held by two owners at once.
 */
export interface WorkItem {
  readonly id: string;
  readonly kind: string;
  /** Enqueueing a second item with the same kind and key while the first is pending is a no-op. */
  readonly key: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly attempts: number;
  readonly runAt: Date;
  readonly leaseOwner?: string;
  readonly leaseUntil?: Date;
  /** Why the item waits (a cap, the storm guard, the breaker), set when it was released for later. */
  readonly waitReason?: string;
}

export interface EnqueueRequest {
  readonly kind: string;
  readonly key: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly runAt: Date;
}

export interface ClaimRequest {
  readonly kinds: readonly string[];
  readonly owner: string;
  readonly now: Date;
  readonly leaseMs: number;
  readonly limit: number;
}

/** The work of one kind that waits (not held by a live claim), for the metrics. */
export interface WaitingWork {
  readonly kind: string;
  readonly count: number;
  /** When the oldest waiting item was enqueued. */
  readonly oldestEnqueuedAt: Date;
}

export interface WorkQueue {
  /** Returns false when an item with the same kind and key is already pending. */
  enqueue(item: EnqueueRequest): Promise<boolean>;
  /** Claims up to `limit` due items (ready, or claimed with an expired lease), oldest first. */
  claim(request: ClaimRequest): Promise<readonly WorkItem[]>;
  /** Extends the lease; false if the owner no longer holds it. */
  renew(id: string, owner: string, until: Date): Promise<boolean>;
  /** Removes the item; false if the owner no longer holds it. */
  complete(id: string, owner: string): Promise<boolean>;
  /** Releases the item to run again at `retryAt`, saying why it waits; false if the owner no longer holds it. */
  release(id: string, owner: string, retryAt: Date, waitReason?: string): Promise<boolean>;
  get(kind: string, key: string): Promise<WorkItem | undefined>;
  pending(kind?: string): Promise<number>;
  /** Per kind with anything waiting at `now`: how many items no live claim holds, and the oldest one's age. */
  waiting(now: Date): Promise<readonly WaitingWork[]>;
}
