/** Subject names shared by every bus adapter; the one place that knows them. */
export const subjectRoot = 'watchkeeper';

export const subjects = {
  runProgress: (runId: string): string => `${subjectRoot}.run.${token(runId)}.progress`,
  /** Every subject of one run: what a run's own NATS credential may publish on (runners/bus/run-credentials.ts). */
  runAny: (runId: string): string => `${subjectRoot}.run.${token(runId)}.>`,
  allRunProgress: `${subjectRoot}.run.*.progress`,
  incidentLifecycle: (incidentId: string): string => `${subjectRoot}.incident.${token(incidentId)}.lifecycle`,
  allIncidentLifecycle: `${subjectRoot}.incident.*.lifecycle`,
  /** Card updates that are not transitions (a fault folded in, a run waiting for capacity). */
  incidentUpdated: (incidentId: string): string => `${subjectRoot}.incident.${token(incidentId)}.updated`,
  allIncidentUpdates: `${subjectRoot}.incident.*.updated`,
  /** Requests to a running run (cancel); fire-and-forget. */
  runControl: (runId: string): string => `${subjectRoot}.run.${token(runId)}.control`,
  /** System-wide notices (runs paused by the circuit breaker, recovered). */
  systemNotice: `${subjectRoot}.system.notice`,
} as const;

/** Durable streams and the subjects they keep. */
export const streams = [
  { name: 'WATCHKEEPER_PROGRESS', subjects: [subjects.allRunProgress] },
  { name: 'WATCHKEEPER_LIFECYCLE', subjects: [subjects.allIncidentLifecycle] },
] as const;

/** Ids become one subject token: no dots, wildcards or whitespace can leak into the subject. */
function token(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new Error(`not a valid subject token: ${JSON.stringify(id)}`);
  return id;
}
