/**
 * Publish/subscribe between Watchkeeper's parts (and sandboxed agents). Subjects live under `watchkeeper.>`.
 * Subjects covered by a durable stream (see `subjects.ts`) are stored and can be replayed; others are
 * fire-and-forget. Every I/O method honours `signal`.
 */
export interface BusMessage {
  readonly subject: string;
  /** Parsed JSON payload; validate it (zod) before use. */
  readonly data: unknown;
  /** Position in its stream (1-based); 0 for subjects without a stream. */
  readonly seq: number;
  readonly msgId?: string;
}

export interface PublishResult {
  readonly seq: number;
  /** True when a message with the same `msgId` was already stored: nothing new was published. */
  readonly duplicate: boolean;
}

export type StartFrom = 'new' | 'all' | { readonly afterSeq: number };

export interface SubscribeOptions {
  /** Where to start for stream subjects; ignored for fire-and-forget subjects (always 'new'). */
  readonly from: StartFrom;
  /**
   * A durable consumer name: delivery resumes after the last message the consumer acknowledged, across
   * restarts. Messages are acknowledged when the iterator asks for the next one.
   */
  readonly durable?: string;
  readonly signal: AbortSignal;
}

export interface Bus {
  /** Resolves once the message is stored (stream subjects) or handed to the transport. `msgId` dedupes. */
  publish(
    subject: string,
    data: unknown,
    options?: { msgId?: string; signal?: AbortSignal },
  ): Promise<PublishResult>;
  /** Messages matching `filter` (NATS wildcards `*` and `>`), in order, until `signal` aborts. */
  subscribe(filter: string, options: SubscribeOptions): AsyncIterable<BusMessage>;
  close(): Promise<void>;
}
