/**
 * What the MCP listener may ask the cluster a fault comes from, when Watchkeeper can read that cluster itself:
 * an object's owners (most MCP servers send pod faults without them) and whether the object still exists.
 * Implemented against Kubernetes in listeners/kube/owner-lookup.ts.
 */
import type { Fault, FaultContext } from '../../core/domain/fault.ts';

export type Owner = NonNullable<FaultContext['owners']>[number];

/** The object as the cluster has it now. */
export interface ObjectFacts {
  readonly uid?: string;
  /** From the object upwards to its top controller, e.g. ReplicaSet then Deployment. */
  readonly owners: readonly Owner[];
}

export interface OwnerLookup {
  /** The kinds `find` can read (e.g. Pod, Job). */
  readonly kinds: ReadonlySet<string>;
  /**
   * The object's uid and owner chain, or `undefined` when the cluster says it does not exist (404). Throws on
   * any other failure (forbidden, timeout, unreachable); callers fall back to what they had.
   */
  find(ref: {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
  }): Promise<ObjectFacts | undefined>;
}

/** Which cluster a lookup reads: only faults of that cluster may be enriched or re-checked with it. */
export interface ClusterAccess {
  readonly cluster: string;
  readonly lookup: OwnerLookup;
}

/** Marks, in the stored fault's `raw`, where its owners came from (the fault's schema has no field for it). */
export const ownersFromCluster = 'cluster';

/** Kubernetes object names: anything else from an untrusted server is not looked up at all. */
const objectName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** True when the lookup can read the fault's object: its cluster, a kind it reads, well-formed names. */
export function readableBy(fault: Fault, access: ClusterAccess): boolean {
  const { resource } = fault;
  return (
    fault.cluster === access.cluster &&
    access.lookup.kinds.has(resource.kind) &&
    resource.namespace !== undefined &&
    objectName.test(resource.namespace) &&
    objectName.test(resource.name)
  );
}

/** True when `fault` is one the lookup should complete: firing, owner-less, readable. */
export function wantsOwners(fault: Fault, access: ClusterAccess): boolean {
  return !fault.resolved && (fault.context.owners ?? []).length === 0 && readableBy(fault, access);
}

/** True for the faults a source's pod re-check follows: firing pod faults it can read. */
export function wantsRecheck(fault: Fault, access: ClusterAccess): boolean {
  return !fault.resolved && fault.resource.kind === 'Pod' && readableBy(fault, access);
}

/**
 * The fault with its owners from the cluster, recorded as such in `raw.ownersFrom`. Any failure (or an object
 * that is already gone, or a different object under the same name) leaves the fault as it came: intake never
 * waits on, or fails because of, the cluster.
 */
export async function withClusterOwners(fault: Fault, access: ClusterAccess): Promise<Fault> {
  if (!wantsOwners(fault, access) || fault.resource.namespace === undefined) return fault;
  let facts: ObjectFacts | undefined;
  try {
    facts = await access.lookup.find({
      kind: fault.resource.kind,
      namespace: fault.resource.namespace,
      name: fault.resource.name,
    });
  } catch {
    return fault;
  }
  if (!facts || facts.owners.length === 0) return fault;
  if (fault.resource.uid !== undefined && facts.uid !== undefined && facts.uid !== fault.resource.uid)
    return fault;
  const raw = fault.raw;
  const rawObject =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : raw === undefined
        ? {}
        : { payload: raw };
  return {
    ...fault,
    context: { ...fault.context, owners: facts.owners.slice(0, 8) },
    raw: { ...rawObject, ownersFrom: ownersFromCluster },
  };
}
