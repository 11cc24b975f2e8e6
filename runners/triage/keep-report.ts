/**
 * Validates a run's report and keeps it: Markdown, sanitized HTML, the transcript and run metadata go to the
 * report store, everything redacted; the card is recorded on the run's report row.
 */
import { asIncidentId } from '../../core/domain/ids.ts';
import { runArtifactPrefix as runPrefix, transcriptKey } from '../../core/domain/report.ts';
import { redact, redactJson } from '../../core/domain/redact.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { LaunchRequest, RunResult } from '../../core/ports/triage-launcher.ts';
import { parseReport } from '../reports/parse-report.ts';
import { renderReportHtml } from '../reports/render-report.ts';

export { runArtifactPrefix as runPrefix } from '../../core/domain/report.ts';

export async function keepReport(
  deps: { readonly store: Store; readonly reports: ReportStore },
  request: Pick<LaunchRequest, 'run' | 'incident'>,
  markdown: string,
  transcript: string,
  /** Agent, model, CLI version, usage: what run.json records besides the card and actions. */
  runMetadata: Readonly<Record<string, unknown>> = {},
): Promise<RunResult> {
  const check = parseReport(markdown);
  if (!check.ok)
    return { ok: false, failure: { reason: 'invalid_report', detail: check.problems.join('; ') } };
  const { run, incident } = request;
  const prefix = runPrefix(incident.id, run.id);
  const keys = {
    markdownKey: `${prefix}/report.md`,
    htmlKey: `${prefix}/report.html`,
    transcriptKey: `${prefix}/transcript.log`,
    metadataKey: `${prefix}/run.json`,
  };
  const clean = redact(markdown);
  await deps.reports.put(keys.markdownKey, clean, 'text/markdown; charset=utf-8');
  await deps.reports.put(keys.htmlKey, renderReportHtml(clean, incident.title), 'text/html; charset=utf-8');
  await deps.reports.put(keys.transcriptKey, redact(transcript), 'text/plain; charset=utf-8');
  const metadata = {
    ...runMetadata,
    runId: run.id,
    incidentId: incident.id,
    agent: run.agent,
    card: check.report.card,
    actions: check.report.actions,
    rejectedActions: check.report.rejectedActions,
  };
  await deps.reports.put(keys.metadataKey, JSON.stringify(redactJson(metadata), null, 2), 'application/json');
  await deps.store.reports.save({
    runId: run.id,
    incidentId: asIncidentId(incident.id),
    card: check.report.card,
    artifacts: keys,
    createdAt: new Date(),
  });
  return { ok: true, reportKey: keys.markdownKey };
}

/** A failed run's transcript, redacted, where its report would have gone: the proof of what it did. */
export async function keepTranscript(
  deps: { readonly reports: ReportStore },
  request: Pick<LaunchRequest, 'run' | 'incident'>,
  transcript: string,
): Promise<string> {
  const key = transcriptKey(request.incident.id, request.run.id);
  await deps.reports.put(key, redact(transcript), 'text/plain; charset=utf-8');
  return key;
}
