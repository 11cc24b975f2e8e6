/**
 * Storm folding: which probable cause a fault belongs to. Faults with the same cause share one incident, so a
 * crash-looping Deployment of 100 pods, or a node taking its pods down, is one incident and one triage run.
 */
import type { Fault } from '../fault.ts';
import type { FoldReason } from '../incident.ts';
import type { ResourceRef } from '../resource.ts';

export interface CorrelationSettings {
  /** Standalone faults in one namespace inside this window count towards a burst. */
  readonly burstWindowMs: number;
  /** From this many standalone incidents opened in a namespace inside the window, more fold into one. */
  readonly burstThreshold: number;
}

export const defaultCorrelation: CorrelationSettings = { burstWindowMs: 120_000, burstThreshold: 5 };

export interface ProbableCause {
  /** The key incidents are opened under; unique among open incidents of a cluster. */
  readonly fingerprint: string;
  /** Why the fault joins an incident under this cause (`primary` is used for the one that opens it). */
  readonly reason: FoldReason;
  /** What the incident is about: the workload, the node, the namespace or the resource itself. */
  readonly primary: ResourceRef;
  readonly title: string;
}

/** What the caller knows about the cluster right now; the policy itself does no I/O. */
export interface CorrelationView {
  /** Nodes with an open node-level incident (NotReady, pressure); their pods' faults fold into it. */
  readonly nodesWithOpenIncident: ReadonlySet<string>;
  /** Standalone incidents opened in the fault's namespace within the burst window. */
  readonly recentStandaloneInNamespace: number;
}

const nodeClasses = new Set<Fault['class']>(['NodeNotReady', 'NodePressure']);
/** Owner kinds that name a workload, from the top of the chain; a ReplicaSet counts only without a Deployment. */
const workloadKinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicaSet'] as const;
const workloadApiVersion: Record<(typeof workloadKinds)[number], string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  CronJob: 'batch/v1',
  Job: 'batch/v1',
};

/** The workload a fault's resource belongs to: Pod → ReplicaSet → Deployment, Job → CronJob, and so on. */
export function ownerWorkload(fault: Fault): ResourceRef | undefined {
  const chain = [...(fault.context.owners ?? [])];
  if (workloadKinds.includes(fault.resource.kind as (typeof workloadKinds)[number])) {
    chain.unshift({ kind: fault.resource.kind, name: fault.resource.name });
  }
  for (const kind of workloadKinds) {
    const owner = chain.find((o) => o.kind === kind);
    if (owner) {
      return {
        apiVersion: workloadApiVersion[kind],
        kind,
        ...(fault.resource.namespace !== undefined && { namespace: fault.resource.namespace }),
        name: owner.name,
        ...(owner.uid !== undefined && { uid: owner.uid }),
      };
    }
  }
  return undefined;
}

const key = (ref: ResourceRef): string =>
  ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;

function nodeRef(name: string): ResourceRef {
  return { apiVersion: 'v1', kind: 'Node', name };
}

export function probableCause(
  fault: Fault,
  view: CorrelationView,
  settings: CorrelationSettings = defaultCorrelation,
): ProbableCause {
  if (nodeClasses.has(fault.class) && fault.resource.kind === 'Node') {
    return {
      fingerprint: `node:${fault.resource.name}`,
      reason: 'same_node',
      primary: nodeRef(fault.resource.name),
      title: `Node ${fault.resource.name}: ${fault.class}`,
    };
  }
  const node = fault.context.node;
  if (node !== undefined && view.nodesWithOpenIncident.has(node)) {
    return {
      fingerprint: `node:${node}`,
      reason: 'same_node',
      primary: nodeRef(node),
      title: `Node ${node}: pods failing`,
    };
  }
  const workload = ownerWorkload(fault);
  if (workload) {
    return {
      fingerprint: `workload:${key(workload)}`,
      reason: 'same_owner_workload',
      primary: workload,
      title: `${key(workload)}: ${fault.class}`,
    };
  }
  const namespace = fault.resource.namespace;
  // A fault on something a bare pod uses (the claim it waits for) names that pod first among its owners.
  const pod = fault.context.owners?.find((o) => o.kind === 'Pod');
  const subject: ResourceRef = pod
    ? {
        apiVersion: 'v1',
        kind: 'Pod',
        ...(namespace !== undefined && { namespace }),
        name: pod.name,
        ...(pod.uid !== undefined && { uid: pod.uid }),
      }
    : fault.resource;
  if (namespace !== undefined && view.recentStandaloneInNamespace >= settings.burstThreshold) {
    return {
      fingerprint: `burst:${namespace}`,
      reason: 'namespace_burst',
      primary: { apiVersion: 'v1', kind: 'Namespace', name: namespace },
      title: `Namespace ${namespace}: burst of faults`,
    };
  }
  return {
    fingerprint: `resource:${key(subject)}`,
    reason: 'same_resource',
    primary: subject,
    title: `${key(subject)}: ${fault.class}`,
  };
}

/** True for causes that count towards a namespace burst (a fault on its own, with no workload or node). */
export function isStandalone(cause: ProbableCause): boolean {
  return cause.fingerprint.startsWith('resource:');
}
