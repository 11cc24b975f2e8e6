import type { Fault } from '../domain/fault.ts';

/** A fault as stored: one row per (cluster, faultId), updated as the condition comes and goes. */
export interface StoredFault {
  readonly fault: Fault;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  /** How many distinct observations (not replays) have been recorded. */
  readonly occurrences: number;
}

/**
 * `new`: first time this (cluster, faultId) is seen. `changed`: its resolved flag flipped or a later observation
 * arrived. `duplicate`: this exact observation was already stored (a replay), nothing changed.
 */
export type FaultRecordOutcome = 'new' | 'changed' | 'duplicate';

/** What `recordMany` did with one observation, and the state it replaced (for `changed`). */
export interface FaultRecord {
  readonly outcome: FaultRecordOutcome;
  /** The stored state before this observation, when it replaced one. */
  readonly previous?: { readonly class: Fault['class']; readonly resolved: boolean };
}

/** A firing fault Watchkeeper expired because its source did not observe it again within the source's TTL. */
export interface ExpiredFault {
  readonly cluster: string;
  readonly faultId: string;
  /** `${source.kind}:${source.name}` */
  readonly source: string;
  /** When it counts as cleared: its last observation plus the TTL. */
  readonly clearedAt: Date;
}

export interface FaultRepository {
  /** Idempotent: recording the same observation twice yields `duplicate` and changes nothing. */
  record(fault: Fault): Promise<{ readonly outcome: FaultRecordOutcome; readonly stored: StoredFault }>;
  /**
   * `record` for many faults in one statement; outcomes in input order. Every (cluster, faultId) may appear only
   * once per call.
   */
  recordMany(faults: readonly Fault[]): Promise<readonly FaultRecord[]>;
  /**
   * Stores a resolution observation (at last observation + TTL, `context.resolution.expired`) for every firing
   * fault of a source in `ttlMs` (keyed `${kind}:${name}`) not observed within its TTL before `now`. One
   * statement per call, so a refresh that lands first keeps its fault firing. At most `limit` faults a call.
   */
  expireStale(ttlMs: ReadonlyMap<string, number>, now: Date, limit: number): Promise<readonly ExpiredFault[]>;
  get(cluster: string, faultId: string): Promise<StoredFault | undefined>;
  count(filter?: { readonly cluster?: string }): Promise<number>;
}
