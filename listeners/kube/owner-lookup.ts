/**
 * The MCP listener's OwnerLookup against a cluster Watchkeeper can read: GET the object, follow its controller
 * reference to the top (Pod → ReplicaSet → Deployment, Pod → Job → CronJob). Answers are cached briefly (in-flight
 * requests shared), GETs run a few at a time with a timeout, so a burst of faults costs a handful of requests and
 * an untrusted server cannot make us hammer the apiserver. Needs `get` on pods, replicasets and jobs.
 */
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1ObjectMeta,
  type V1OwnerReference,
} from '@kubernetes/client-node';
import type { ObjectFacts, Owner, OwnerLookup } from '../mcp/owner-lookup.ts';
import { Semaphore } from '../mcp/semaphore.ts';

export interface KubeOwnerLookupOptions {
  readonly cacheMs?: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly maxCached?: number;
  /** GETs that may wait for a turn; beyond it a lookup fails at once (a flood must not queue up intake). */
  readonly maxWaiting?: number;
}

/** Owner kinds we read to go one level up; any other owner kind is taken as the top. */
const readable = new Map([
  ['ReplicaSet', 'apps/v1'],
  ['Job', 'batch/v1'],
]);
const maxDepth = 4;

export function createKubeOwnerLookup(
  kubeconfig: KubeConfig,
  options: KubeOwnerLookupOptions = {},
): OwnerLookup {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const batch = kubeconfig.makeApiClient(BatchV1Api);
  const cacheMs = options.cacheMs ?? 15_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxCached = options.maxCached ?? 5_000;
  const gets = new Semaphore(options.concurrency ?? 4);
  const maxWaiting = options.maxWaiting ?? 256;
  let waiting = 0;
  const cache = new Map<string, { readonly at: number; readonly meta: Promise<V1ObjectMeta | undefined> }>();

  const read = (kind: string, namespace: string, name: string): Promise<{ metadata?: V1ObjectMeta }> => {
    switch (kind) {
      case 'Pod':
        return core.readNamespacedPod({ name, namespace });
      case 'ReplicaSet':
        return apps.readNamespacedReplicaSet({ name, namespace });
      case 'Job':
        return batch.readNamespacedJob({ name, namespace });
      default:
        return Promise.reject(new Error(`cannot read ${kind}`));
    }
  };

  async function fetchMeta(kind: string, namespace: string, name: string): Promise<V1ObjectMeta | undefined> {
    if (waiting >= maxWaiting) throw new Error(`over ${maxWaiting} cluster lookups waiting`);
    waiting += 1;
    const release = await gets.acquire().finally(() => {
      waiting -= 1;
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`GET ${kind} ${namespace}/${name} took over ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      const object = await Promise.race([read(kind, namespace, name), timeout]);
      return object.metadata ?? {};
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  function meta(kind: string, namespace: string, name: string): Promise<V1ObjectMeta | undefined> {
    const key = `${kind}/${namespace}/${name}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < cacheMs) return hit.meta;
    const fetched = fetchMeta(kind, namespace, name);
    cache.delete(key);
    cache.set(key, { at: now, meta: fetched });
    // Failures are not remembered: the next fault asks again.
    fetched.catch(() => cache.delete(key));
    while (cache.size > maxCached) {
      const oldest = cache.keys().next();
      if (oldest.done) break;
      cache.delete(oldest.value);
    }
    return fetched;
  }

  return {
    kinds: new Set(['Pod', 'Job', 'ReplicaSet']),
    async find({ kind, namespace, name }): Promise<ObjectFacts | undefined> {
      const object = await meta(kind, namespace, name);
      if (!object) return undefined;
      const owners: Owner[] = [];
      let current: V1ObjectMeta | undefined = object;
      while (current && owners.length < maxDepth) {
        const refs: readonly V1OwnerReference[] = current.ownerReferences ?? [];
        const ref: V1OwnerReference | undefined = refs.find((r) => r.controller === true) ?? refs[0];
        if (!ref) break;
        owners.push({ kind: ref.kind, name: ref.name, uid: ref.uid });
        if (readable.get(ref.kind) !== ref.apiVersion) break;
        // An owner we may not read (RBAC) or that is being deleted: keep the chain found so far.
        current = await meta(ref.kind, namespace, ref.name).catch(() => undefined);
      }
      return { ...(object.uid !== undefined && { uid: object.uid }), owners };
    },
  };
}
