/**
 * After an action ran: did the target recover? Watches (polls) the object until the change took effect and the
 * workload is healthy again, or the timeout passes. The answer says what was seen either way.
 */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { RemediationAction } from '../../core/domain/remediation.ts';

export interface Verification {
  readonly ok: boolean;
  readonly detail: string;
}

export async function verifyAction(
  kubeconfig: KubeConfig,
  action: RemediationAction,
  options: { readonly timeoutMs: number; readonly pollMs?: number; readonly signal?: AbortSignal },
): Promise<Verification> {
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const deadline = Date.now() + options.timeoutMs;
  let last = 'not checked yet';
  for (;;) {
    const seen = await check();
    if (seen.ok) return seen;
    last = seen.detail;
    if (Date.now() > deadline || options.signal?.aborted)
      return { ok: false, detail: `not recovered within ${Math.round(options.timeoutMs / 1000)} s: ${last}` };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }

  async function check(): Promise<Verification> {
    switch (action.type) {
      case 'rollout_restart':
      case 'set_image':
      case 'patch':
      case 'scale':
      case 'rollback_deployment': {
        const { kind, name, namespace } = action.target;
        if (kind === 'DaemonSet') {
          const ds = await apps.readNamespacedDaemonSet({ name, namespace });
          const s = ds.status;
          const done =
            (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0) &&
            s?.updatedNumberScheduled === s?.desiredNumberScheduled &&
            s?.numberAvailable === s?.desiredNumberScheduled;
          return {
            ok: done,
            detail: `${s?.updatedNumberScheduled ?? 0}/${s?.desiredNumberScheduled ?? 0} updated, ${s?.numberAvailable ?? 0} available`,
          };
        }
        const workload =
          kind === 'Deployment'
            ? await apps.readNamespacedDeployment({ name, namespace })
            : await apps.readNamespacedStatefulSet({ name, namespace });
        const want = workload.spec?.replicas ?? 1;
        const s = workload.status;
        const observed = (s?.observedGeneration ?? 0) >= (workload.metadata?.generation ?? 0);
        const done =
          observed &&
          (s?.updatedReplicas ?? 0) === want &&
          (s?.readyReplicas ?? 0) === want &&
          (s?.replicas ?? 0) === want;
        return {
          ok: done,
          detail: `${kind} ${name}: ${s?.updatedReplicas ?? 0}/${want} updated, ${s?.readyReplicas ?? 0}/${want} ready${observed ? '' : ', change not yet observed'}`,
        };
      }
      case 'delete_pod': {
        const { name, namespace } = action.target;
        const pod = await core.readNamespacedPod({ name, namespace }).catch(() => undefined);
        return pod
          ? {
              ok: false,
              detail: `pod ${name} still exists (${pod.metadata?.deletionTimestamp ? 'terminating' : (pod.status?.phase ?? 'unknown')})`,
            }
          : { ok: true, detail: `pod ${name} is gone` };
      }
      case 'cordon_node':
      case 'uncordon_node': {
        const node = await core.readNode({ name: action.target.name });
        const want = action.type === 'cordon_node';
        const is = node.spec?.unschedulable === true;
        return {
          ok: is === want,
          detail: `node ${action.target.name} is ${is ? 'cordoned' : 'schedulable'}`,
        };
      }
    }
  }
}
