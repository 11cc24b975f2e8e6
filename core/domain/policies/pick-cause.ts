/**
 * Where a firing fault belongs, given the open incidents found for its candidate causes: the failing node first,
 * then the fault's own cause (its workload or its resource). Pure; the caller looks the incidents up.
 */
import type { Fault } from '../fault.ts';
import type { Incident } from '../incident.ts';
import { isStandalone, probableCause, type CorrelationSettings, type ProbableCause } from './correlation.ts';

const noView = { nodesWithOpenIncident: new Set<string>(), recentStandaloneInNamespace: 0 };

/** The causes a fault may belong to: its own (workload, resource) and, if it runs on a node, that node's. */
export function candidateCauses(fault: Fault, settings: CorrelationSettings): readonly ProbableCause[] {
  const own = probableCause(fault, noView, settings);
  const node = fault.context.node;
  if (node === undefined) return [own];
  return [own, probableCause(fault, { ...noView, nodesWithOpenIncident: new Set([node]) }, settings)];
}

/** The namespace's burst cause, for a lone fault that may fold into it. */
export function burstCause(fault: Fault, settings: CorrelationSettings): ProbableCause | undefined {
  if (fault.resource.namespace === undefined) return undefined;
  const burst = probableCause(
    { ...fault, context: { ...fault.context, owners: [] } },
    { ...noView, recentStandaloneInNamespace: Number.MAX_SAFE_INTEGER },
    settings,
  );
  return burst.reason === 'namespace_burst' ? burst : undefined;
}

export type Destination =
  /** An open incident takes the fault in. */
  | { readonly kind: 'open_incident'; readonly cause: ProbableCause; readonly incident: Incident }
  /** Nothing open: a new incident under `cause`, or (for a lone fault) maybe the namespace's burst. */
  | { readonly kind: 'new'; readonly cause: ProbableCause; readonly burst?: ProbableCause };

export function pickDestination(
  fault: Fault,
  candidates: readonly ProbableCause[],
  open: readonly Incident[],
  settings: CorrelationSettings,
): Destination {
  const openFor = (cause: ProbableCause | undefined) =>
    cause &&
    open.find((incident) => incident.cluster === fault.cluster && incident.fingerprint === cause.fingerprint);
  const [own, onNode] = candidates;
  const nodeIncident = openFor(onNode);
  if (onNode && nodeIncident) return { kind: 'open_incident', cause: onNode, incident: nodeIncident };
  const cause = own ?? probableCause(fault, noView, settings);
  const ownIncident = openFor(cause);
  if (ownIncident) return { kind: 'open_incident', cause, incident: ownIncident };
  const burst = isStandalone(cause) ? burstCause(fault, settings) : undefined;
  return burst ? { kind: 'new', cause, burst } : { kind: 'new', cause };
}
