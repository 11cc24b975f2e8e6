/**
 * The owner chain of an object up to its top controller (Pod → ReplicaSet → Deployment, Pod → Job → CronJob),
 * read from the watcher's informer caches, never with a request per object. Incident folding keys on the top.
 */
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import type { FaultContext } from '../../core/domain/fault.ts';

export type Owner = NonNullable<FaultContext['owners']>[number];

/** Cached objects by kind; `undefined` when that kind is not cached or the object is not (yet) in the cache. */
export type OwnerCache = (kind: string, name: string, namespace: string) => KubernetesObject | undefined;

/** Bounded like the fault schema's `owners`. */
const maxChain = 8;

function controllerOf(references: readonly V1OwnerReference[] | undefined): Owner | undefined {
  const owner =
    references?.find((o) => o.controller === true) ?? references?.find((o) => o.controller !== false);
  return owner && { kind: owner.kind, name: owner.name, uid: owner.uid };
}

/**
 * A ReplicaSet not in the cache yet (its watch event may trail its pod's): a Deployment names its ReplicaSets
 * `<deployment>-<pod-template-hash>` and labels their pods with that hash.
 */
function deploymentByName(
  owner: Owner,
  labels: Readonly<Record<string, string>> | undefined,
): Owner | undefined {
  const hash = labels?.['pod-template-hash'];
  if (owner.kind !== 'ReplicaSet' || !hash || !owner.name.endsWith(`-${hash}`)) return undefined;
  return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
}

/**
 * The chain above an object, nearest first, from its controller references. A pod whose ReplicaSet is not
 * cached is placed under its Deployment by the `pod-template-hash` label.
 */
export function ownerChain(object: Pick<KubernetesObject, 'metadata'>, cache: OwnerCache): Owner[] {
  const namespace = object.metadata?.namespace ?? '';
  const chain: Owner[] = [];
  let next = controllerOf(object.metadata?.ownerReferences);
  while (next && chain.length < maxChain && !chain.some((o) => o.uid !== undefined && o.uid === next?.uid)) {
    chain.push(next);
    const cached = cache(next.kind, next.name, namespace);
    if (cached && (next.uid === undefined || cached.metadata?.uid === next.uid)) {
      next = controllerOf(cached.metadata?.ownerReferences);
    } else next = chain.length === 1 ? deploymentByName(next, object.metadata?.labels) : undefined;
  }
  return chain;
}
