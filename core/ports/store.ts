import type { AuditRepository } from './audit-repository.ts';
import type { ChatRepository } from './chat-repository.ts';
import type { RemediationRepository } from './remediation-repository.ts';
import type { FaultRepository } from './fault-repository.ts';
import type { IncidentRepository } from './incident-repository.ts';
import type { ProgressRepository, ReportRepository, RunRepository } from './run-repository.ts';
import type { SilenceRepository } from './silence-repository.ts';
import type { WorkQueue } from './work-queue.ts';

/** Everything Watchkeeper keeps in its database, behind one handle the composition root opens and closes. */
export interface Store {
  readonly faults: FaultRepository;
  readonly incidents: IncidentRepository;
  readonly runs: RunRepository;
  readonly progress: ProgressRepository;
  readonly reports: ReportRepository;
  readonly audit: AuditRepository;
  readonly queue: WorkQueue;
  readonly silences: SilenceRepository;
  readonly chat: ChatRepository;
  readonly remediation: RemediationRepository;
  /** Where the data lives, for the start-up log line (a folder for PGlite, a redacted URL for Postgres). */
  readonly location: string;
  /** Runs `section` with no other holder of `name` anywhere on this database (all replicas included). */
  exclusive<T>(name: string, section: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
