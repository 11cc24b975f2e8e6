/** Reads what the Slack messages show from the store and the report store (links minted on demand). */
import type { IncidentId, RunId } from '../../core/domain/ids.ts';
import type { Incident } from '../../core/domain/incident.ts';
import type { Report } from '../../core/domain/report.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { ReportStore } from '../../core/ports/report-store.ts';
import type { Store } from '../../core/ports/store.ts';
import type { CardView } from './render/incident-card.ts';
import { triageCardSection } from './render/run-outcome.ts';

export interface ViewLoader {
  card(incident: Incident, waiting: string | undefined): Promise<CardView>;
  faultClass(incident: Incident): Promise<string | undefined>;
  report(runId: RunId): Promise<{ report: Report; url?: string; cardMarkdown?: string } | undefined>;
  link(key: string): Promise<string | undefined>;
  runs(incidentId: IncidentId): Promise<readonly TriageRun[]>;
}

export function createViewLoader(deps: {
  readonly store: Store;
  readonly reports: ReportStore;
  readonly linkTtlSeconds: number;
  readonly agents: readonly string[];
  /** Whether remediation can be proposed (shows the button on reported incidents). */
  readonly remediation: boolean;
  /** Local agent runs are not sandboxed (`agents.localSandbox: none`). */
  readonly unsandboxed?: boolean;
  readonly now: () => Date;
}): ViewLoader {
  const { store, reports } = deps;
  const classes = new Map<string, string | undefined>();

  const link = async (key: string) => reports.readLink(key, deps.linkTtlSeconds).catch(() => undefined);

  const runs = (incidentId: IncidentId) => store.runs.listByIncident(incidentId);

  async function faultClass(incident: Incident): Promise<string | undefined> {
    if (classes.has(incident.id)) return classes.get(incident.id);
    const members = await store.incidents.members(incident.id);
    const primary = members.find((member) => member.reason === 'primary') ?? members[0];
    const fault = primary && (await store.faults.get(primary.cluster, primary.faultId));
    const found = fault?.fault.class;
    if (classes.size > 10_000) classes.clear();
    classes.set(incident.id, found);
    return found;
  }

  return {
    faultClass,
    link,
    runs,
    async report(runId) {
      const report = await store.reports.getByRun(runId);
      if (!report) return undefined;
      const url = await link(report.artifacts.htmlKey);
      const markdown = await reports.get(report.artifacts.markdownKey).catch(() => undefined);
      const cardMarkdown = markdown && triageCardSection(new TextDecoder().decode(markdown.body));
      return { report, ...(url && { url }), ...(cardMarkdown && { cardMarkdown }) };
    },
    async card(incident, waiting) {
      const all = await runs(incident.id);
      const costUsd = all.reduce<number | undefined>(
        (sum, run) => (run.usage?.costUsd === undefined ? sum : (sum ?? 0) + run.usage.costUsd),
        undefined,
      );
      const concluded = all.filter(
        (run) => run.status === 'succeeded' && (run.purpose === 'triage' || run.purpose === 'second_opinion'),
      );
      const lastConcluded = concluded.at(-1);
      const report = lastConcluded && (await store.reports.getByRun(lastConcluded.id));
      const reportUrl = report && (await link(report.artifacts.htmlKey));
      const cls = await faultClass(incident);
      const latest = all.at(-1);
      return {
        incident,
        agents: deps.agents,
        remediation: deps.remediation,
        ...(deps.unsandboxed && { unsandboxed: true }),
        now: deps.now(),
        ...(cls !== undefined && { faultClass: cls }),
        ...(latest && { run: latest }),
        ...(costUsd !== undefined && { costUsd }),
        ...(report && { conclusion: { card: report.card, ...(reportUrl && { reportUrl }) } }),
        ...(waiting !== undefined && { waiting }),
      };
    },
  };
}
