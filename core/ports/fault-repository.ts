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

export interface FaultRepository {
  /** Idempotent: recording the same observation twice yields `duplicate` and changes nothing. */
  record(fault: Fault): Promise<{ readonly outcome: FaultRecordOutcome; readonly stored: StoredFault }>;
  /**
   * `record` for many faults in one statement; outcomes in input order. Every (cluster, faultId) may appear only
   * once per call.
   */
  recordMany(faults: readonly Fault[]): Promise<readonly FaultRecordOutcome[]>;
  get(cluster: string, faultId: string): Promise<StoredFault | undefined>;
  count(filter?: { readonly cluster?: string }): Promise<number>;
}
