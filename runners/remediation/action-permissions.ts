/**
 * The exact RBAC an approved action needs, and nothing more: one rule per verb set, pinned to the target by
 * `resourceNames` wherever the apiserver allows it. The execution token is bound to these rules only.
 */
import type { RemediationAction } from '../../core/domain/remediation.ts';

export interface PermissionRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface ActionPermissions {
  /** The namespace the Role lives in; absent for cluster-scoped actions (nodes), which need a ClusterRole. */
  readonly namespace?: string;
  readonly rules: readonly PermissionRule[];
}

const plural: Readonly<Record<string, string>> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

export function permissionsFor(action: RemediationAction): ActionPermissions {
  switch (action.type) {
    case 'rollout_restart':
    case 'set_image':
    case 'patch':
      return {
        namespace: action.target.namespace,
        rules: [workloadRule(action.target.kind, action.target.name, ['get', 'patch'])],
      };
    case 'scale':
      return {
        namespace: action.target.namespace,
        rules: [
          workloadRule(action.target.kind, action.target.name, ['get']),
          {
            apiGroups: ['apps'],
            resources: [`${plural[action.target.kind] ?? ''}/scale`],
            verbs: ['get', 'patch'],
            resourceNames: [action.target.name],
          },
        ],
      };
    case 'rollback_deployment':
      return {
        namespace: action.target.namespace,
        rules: [
          workloadRule('Deployment', action.target.name, ['get', 'patch']),
          // the revision's ReplicaSet is found by listing: list cannot be narrowed by name
          { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
        ],
      };
    case 'delete_pod':
      return {
        namespace: action.target.namespace,
        rules: [
          {
            apiGroups: [''],
            resources: ['pods'],
            verbs: ['get', 'delete'],
            resourceNames: [action.target.name],
          },
        ],
      };
    case 'cordon_node':
    case 'uncordon_node':
      return {
        rules: [
          {
            apiGroups: [''],
            resources: ['nodes'],
            verbs: ['get', 'patch'],
            resourceNames: [action.target.name],
          },
        ],
      };
  }
}

/** Several actions on one target namespace: their rules together (one Role). */
export function mergePermissions(actions: readonly RemediationAction[]): ActionPermissions {
  const all = actions.map(permissionsFor);
  const namespaces = new Set(all.map((p) => p.namespace));
  if (namespaces.size > 1)
    throw new Error(
      'one execution acts in one namespace (or on nodes): split the actions into separate requests',
    );
  const [namespace] = namespaces;
  return { ...(namespace !== undefined && { namespace }), rules: all.flatMap((p) => p.rules) };
}

function workloadRule(kind: string, name: string, verbs: readonly string[]): PermissionRule {
  return {
    apiGroups: ['apps'],
    resources: [plural[kind] ?? kind.toLowerCase()],
    verbs,
    resourceNames: [name],
  };
}
