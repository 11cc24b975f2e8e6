import type { IncidentId, RunId } from '../domain/ids.ts';
import type { ProgressEvent } from '../domain/progress.ts';
import type { Report } from '../domain/report.ts';
import type { RunCancellation, RunFailure, RunStatus, SandboxRef, TriageRun } from '../domain/run.ts';
import type { Usage } from '../domain/usage.ts';

export interface RunUpdate {
  readonly status: RunStatus;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly usage?: Usage;
  readonly reportKey?: string;
  readonly failure?: RunFailure;
  readonly model?: string;
  readonly sandbox?: SandboxRef;
}

/** What is running now, for the caps and the storm guard. */
export interface RunLoad {
  /** Runs starting or running, in every cluster. */
  readonly running: number;
  readonly runningByCluster: Readonly<Record<string, number>>;
  /** When the runs started in the window ending now began. */
  readonly recentStarts: readonly Date[];
}

export interface RunRepository {
  create(run: TriageRun): Promise<void>;
  get(id: RunId): Promise<TriageRun | undefined>;
  /** Oldest first. */
  listByIncident(incidentId: IncidentId): Promise<readonly TriageRun[]>;
  listByStatus(statuses: readonly RunStatus[]): Promise<readonly TriageRun[]>;
  update(id: RunId, update: RunUpdate): Promise<TriageRun>;
  /**
   * Records why the run is being stopped unless a cause is already recorded (the first one wins); returns the
   * run as it now is, `undefined` when it does not exist.
   */
  recordCancellation(id: RunId, cancellation: RunCancellation): Promise<TriageRun | undefined>;
  load(now: Date, windowMs: number): Promise<RunLoad>;
  /** The most recently finished runs (succeeded or failed; cancelled ones say nothing about health), newest first. */
  recentOutcomes(limit: number): Promise<readonly TriageRun[]>;
}

export interface ProgressRepository {
  /** Idempotent on (runId, seq): a redelivered event is ignored and `false` returned. */
  append(event: ProgressEvent): Promise<boolean>;
  list(runId: RunId): Promise<readonly ProgressEvent[]>;
}

export interface ReportRepository {
  save(report: Report): Promise<void>;
  getByRun(runId: RunId): Promise<Report | undefined>;
  /** Oldest first. */
  listByIncident(incidentId: IncidentId): Promise<readonly Report[]>;
}
