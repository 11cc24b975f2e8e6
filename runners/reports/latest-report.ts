import type { IncidentId } from '../../core/domain/ids.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';

/** The Markdown of the incident's most recent report, if it has one (follow-up prompts, remediation). */
export async function latestReportMarkdown(
  deps: { readonly store: Store; readonly reports: ReportStore },
  incidentId: IncidentId,
): Promise<string | undefined> {
  const latest = (await deps.store.reports.listByIncident(incidentId)).at(-1);
  const stored = latest && (await deps.reports.get(latest.artifacts.markdownKey));
  return stored && new TextDecoder().decode(stored.body);
}
