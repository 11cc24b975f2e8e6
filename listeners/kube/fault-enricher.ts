/**
 * Gives a reported fault what the rules cannot see on one object: its owner chain to the top controller and its
 * node (from the informer caches, so an Event's pod or a PVC's consumer is placed like a pod's own fault), the
 * object's recent Events and, for crashes, the container's last log lines. A resolution keeps what its firing
 * report carried, so the stored fault does not lose its Events when it clears.
 */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Fault, FaultContext } from '../../core/domain/fault.ts';
import { faultLimits } from '../../core/domain/fault.ts';
import { ownerChain, type Owner, type OwnerCache } from './owner-chain.ts';
import type { RecentEvents } from './recent-events.ts';

export interface FaultEnricherDeps {
  /** Cached objects by kind (pods, ReplicaSets, Jobs and the other watched kinds). */
  readonly cache: OwnerCache;
  /** The cached pods of a namespace, to find the pods that mount a claim. */
  readonly podsIn: (namespace: string) => readonly V1Pod[];
  readonly events: RecentEvents;
  /** The container's last log lines, for crash classes; `undefined` when there are none or they cannot be read. */
  readonly logTail?: (fault: Fault, container: string) => Promise<string[] | undefined>;
}

export interface FaultEnricher {
  enrich(fault: Fault): Promise<Fault>;
  /** Owner chain and node only, without I/O (for faults listed for reconciliation). */
  placed(fault: Fault): Fault;
}

/** The fault schema's bound on `owners`. */
const maxOwners = 8;
const crashClasses = new Set<Fault['class']>(['CrashLoopBackOff', 'OOMKilled', 'ContainerErrorExit']);
/** What a resolution carries over from the fault's last firing report. */
type Carried = Pick<FaultContext, 'owners' | 'node' | 'events' | 'logTail'>;

function mounts(pod: V1Pod, claim: string): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim);
}

export function createFaultEnricher(deps: FaultEnricherDeps): FaultEnricher {
  const carried = new Map<string, Carried>();
  const key = (fault: Fault) => fault.faultId;

  /** A claim's fault is placed with a pod that mounts it: they are one problem, and fold into one incident. */
  function consumerOf(fault: Fault): { owners: Owner[] } | undefined {
    const namespace = fault.resource.namespace;
    if (namespace === undefined) return undefined;
    const pod = deps.podsIn(namespace).find((p) => mounts(p, fault.resource.name));
    if (!pod?.metadata?.name) return undefined;
    const self: Owner = {
      kind: 'Pod',
      name: pod.metadata.name,
      ...(pod.metadata.uid !== undefined && { uid: pod.metadata.uid }),
    };
    return { owners: [self, ...ownerChain(pod, deps.cache)].slice(0, maxOwners) };
  }

  function placement(fault: Fault): Pick<FaultContext, 'owners' | 'node'> {
    const { kind, name, namespace } = fault.resource;
    if (kind === 'PersistentVolumeClaim') return consumerOf(fault) ?? {};
    const object: KubernetesObject | undefined = deps.cache(kind, name, namespace ?? '');
    if (!object || (fault.resource.uid !== undefined && object.metadata?.uid !== fault.resource.uid))
      return {};
    const owners = ownerChain(object, deps.cache);
    const node = kind === 'Pod' ? (object as V1Pod).spec?.nodeName : undefined;
    return { ...(owners.length > 0 && { owners }), ...(node !== undefined && { node }) };
  }

  function placed(fault: Fault): Fault {
    const found = placement(fault);
    return found.owners || found.node ? { ...fault, context: { ...fault.context, ...found } } : fault;
  }

  async function enrich(fault: Fault): Promise<Fault> {
    const events = deps.events.of(fault.resource.uid).slice(-faultLimits.events);
    if (fault.resolved) {
      // The object may be gone from the caches by now: what the firing report found is kept.
      const before = carried.get(key(fault));
      carried.delete(key(fault));
      const context = { ...fault.context, ...before, ...placement(fault) };
      return { ...fault, context: { ...context, ...(events.length > 0 && { events }) } };
    }
    const withPlace = placed(fault);
    const logTail =
      deps.logTail && crashClasses.has(fault.class) && fault.resource.kind === 'Pod' && fault.container
        ? await deps.logTail(fault, fault.container)
        : undefined;
    const context: FaultContext = {
      ...withPlace.context,
      ...(events.length > 0 && { events }),
      ...(logTail && logTail.length > 0 && { logTail }),
    };
    const { owners, node } = context;
    carried.set(key(fault), {
      ...(owners !== undefined && { owners }),
      ...(node !== undefined && { node }),
      ...(context.events !== undefined && { events: context.events }),
      ...(context.logTail !== undefined && { logTail: context.logTail }),
    });
    return { ...withPlace, context };
  }

  return { enrich, placed };
}
