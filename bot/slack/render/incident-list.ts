/** `/triage list` and `/triage status` answers: short mrkdwn lines, linking each incident's thread. */
import type { Incident } from '../../../core/domain/incident.ts';
import { formatResource } from '../../../core/domain/resource.ts';
import { codeText, escapeBounded } from './escape.ts';
import { formatDuration, permalink, severityIcon } from './message.ts';

const threadLink = (incident: Incident) =>
  incident.thread ? ` · <${permalink(incident.thread.channel, incident.thread.ts)}|thread>` : '';

export function describeIncidents(incidents: readonly Incident[], now = new Date()): string {
  if (incidents.length === 0) return ':sunny: No open incidents.';
  const lines = incidents.map(
    (incident) =>
      `${severityIcon[incident.severity] ?? ''} ${codeText(incident.id)} ${escapeBounded(incident.title, 120)} · ${incident.state.status} · ${formatDuration(now.getTime() - incident.createdAt.getTime())}${threadLink(incident)}`,
  );
  return `*Open incidents* (${incidents.length}, newest first):\n${lines.join('\n')}`;
}

export function describeIncident(incident: Incident, now = new Date()): string {
  return [
    `${severityIcon[incident.severity] ?? ''} *${escapeBounded(incident.title, 200)}*${threadLink(incident)}`,
    `Incident ${codeText(incident.id)} · ${incident.state.status} · cluster ${codeText(incident.cluster)}`,
    `Resource ${codeText(formatResource(incident.primaryResource))} · ${incident.faultCount} fault(s) · open for ${formatDuration(now.getTime() - incident.createdAt.getTime())}`,
  ].join('\n');
}
