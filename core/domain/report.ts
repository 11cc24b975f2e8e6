import type { IncidentId, RunId } from './ids.ts';
import type { Severity } from './severity.ts';

export type Confidence = 'high' | 'medium' | 'low';

/** The triage card at the top of every report. */
export interface TriageCard {
  readonly status: string;
  readonly severity: Severity;
  readonly rootCause: string;
  readonly confidence: Confidence;
}

/** Where the artifacts of one run live in the report store. */
export interface ReportArtifacts {
  readonly markdownKey: string;
  readonly htmlKey: string;
  readonly transcriptKey: string;
  readonly metadataKey: string;
}

export interface Report {
  readonly runId: RunId;
  readonly incidentId: IncidentId;
  readonly card: TriageCard;
  readonly artifacts: ReportArtifacts;
  readonly createdAt: Date;
}

/** Where a run's artifacts live in the report store (report, HTML, transcript, run.json). */
export const runArtifactPrefix = (incidentId: string, runId: string): string =>
  `incidents/${incidentId}/runs/${runId}`;

export const transcriptKey = (incidentId: string, runId: string): string =>
  `${runArtifactPrefix(incidentId, runId)}/transcript.log`;
