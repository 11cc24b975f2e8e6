/**
 * Carries out one typed action through the Kubernetes API, for real or as a server-side dry run
 * (`dryRun=All`: admission and validation run, nothing is stored). Returns the object before and after, so a
 * dry run can show exactly what would change. Free-form commands do not exist here: only these eight actions.
 */
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { RemediationAction } from '../../core/domain/remediation.ts';
import { patchProblem } from '../../core/domain/policies/remediation-patch.ts';

export interface AppliedAction {
  readonly before: unknown;
  /** The object as the apiserver returned it (for a dry run: as it would be); `undefined` once deleted. */
  readonly after: unknown;
}

const fieldManager = 'watchkeeper';
const restartedAt = 'kubectl.kubernetes.io/restartedAt';

export async function applyAction(
  kubeconfig: KubeConfig,
  action: RemediationAction,
  options: { readonly dryRun: boolean; readonly now?: Date },
): Promise<AppliedAction> {
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const dryRun = options.dryRun ? 'All' : undefined;
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const common = { fieldManager, ...(dryRun && { dryRun }) };

  const workload = (kind: string, name: string, namespace: string) => ({
    get: () =>
      kind === 'Deployment'
        ? apps.readNamespacedDeployment({ name, namespace })
        : kind === 'StatefulSet'
          ? apps.readNamespacedStatefulSet({ name, namespace })
          : apps.readNamespacedDaemonSet({ name, namespace }),
    patch: (body: unknown, how = strategic) =>
      kind === 'Deployment'
        ? apps.patchNamespacedDeployment({ name, namespace, body, ...common }, how)
        : kind === 'StatefulSet'
          ? apps.patchNamespacedStatefulSet({ name, namespace, body, ...common }, how)
          : apps.patchNamespacedDaemonSet({ name, namespace, body, ...common }, how),
  });

  switch (action.type) {
    case 'rollout_restart': {
      const target = workload(action.target.kind, action.target.name, action.target.namespace);
      const before = await target.get();
      const at = (options.now ?? new Date()).toISOString();
      const after = await target.patch({
        spec: { template: { metadata: { annotations: { [restartedAt]: at } } } },
      });
      return { before, after };
    }
    case 'set_image': {
      const target = workload(action.target.kind, action.target.name, action.target.namespace);
      const before = await target.get();
      const known = before.spec?.template.spec?.containers.some((c) => c.name === action.container);
      if (!known)
        throw new Error(`${action.target.kind} ${action.target.name} has no container ${action.container}`);
      const after = await target.patch({
        spec: { template: { spec: { containers: [{ name: action.container, image: action.image }] } } },
      });
      return { before, after };
    }
    case 'patch': {
      const problem = patchProblem(action);
      if (problem) throw new Error(`refused patch: ${problem}`);
      const target = workload(action.target.kind, action.target.name, action.target.namespace);
      const before = await target.get();
      const after = await target.patch(action.patch, action.patchType === 'json' ? jsonPatch : strategic);
      return { before, after };
    }
    case 'scale': {
      const { name, namespace } = action.target;
      const body = { spec: { replicas: action.replicas } };
      if (action.target.kind === 'Deployment') {
        const before = await apps.readNamespacedDeploymentScale({ name, namespace });
        const after = await apps.patchNamespacedDeploymentScale({ name, namespace, body, ...common }, merge);
        return { before, after };
      }
      const before = await apps.readNamespacedStatefulSetScale({ name, namespace });
      const after = await apps.patchNamespacedStatefulSetScale({ name, namespace, body, ...common }, merge);
      return { before, after };
    }
    case 'rollback_deployment': {
      const { name, namespace } = action.target;
      const before = await apps.readNamespacedDeployment({ name, namespace });
      const owned = (await apps.listNamespacedReplicaSet({ namespace })).items.filter((rs: V1ReplicaSet) =>
        rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.uid === before.metadata?.uid),
      );
      const revision = owned.find(
        (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === String(action.revision),
      );
      if (!revision?.spec?.template)
        throw new Error(
          `Deployment ${name} has no revision ${action.revision} (kept: ${owned.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).join(', ') || 'none'})`,
        );
      const template = structuredClone(revision.spec.template);
      delete template.metadata?.labels?.['pod-template-hash'];
      const after = await apps.patchNamespacedDeployment(
        { name, namespace, body: [{ op: 'replace', path: '/spec/template', value: template }], ...common },
        jsonPatch,
      );
      return { before, after };
    }
    case 'delete_pod': {
      const { name, namespace } = action.target;
      const before = await core.readNamespacedPod({ name, namespace });
      await core.deleteNamespacedPod({ name, namespace, ...(dryRun && { dryRun }) });
      return { before, after: undefined };
    }
    case 'cordon_node':
    case 'uncordon_node': {
      const name = action.target.name;
      const before = await core.readNode({ name });
      const after = await core.patchNode(
        { name, body: { spec: { unschedulable: action.type === 'cordon_node' } }, ...common },
        strategic,
      );
      return { before, after };
    }
  }
}
