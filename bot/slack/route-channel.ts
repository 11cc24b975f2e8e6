/** Which channel an incident's thread goes to: the first route whose every condition matches, else the default. */
import type { Incident } from '../../core/domain/incident.ts';
import type { SlackConfig } from '../config/config.ts';

export function routeChannel(
  incident: Pick<Incident, 'cluster' | 'severity' | 'primaryResource'>,
  faultClass: string | undefined,
  slack: Pick<SlackConfig, 'routes' | 'defaultChannel'>,
): string {
  const namespace = incident.primaryResource.namespace ?? '';
  const route = slack.routes.find(
    (r) =>
      (!r.clusters || r.clusters.includes(incident.cluster)) &&
      (!r.namespaces || r.namespaces.some((pattern) => globMatches(pattern, namespace))) &&
      (!r.severities || r.severities.includes(incident.severity)) &&
      (!r.classes || (faultClass !== undefined && (r.classes as readonly string[]).includes(faultClass))),
  );
  return route?.channel ?? slack.defaultChannel;
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}
