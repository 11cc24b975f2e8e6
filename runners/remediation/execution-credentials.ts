/**
 * A credential for one approved remediation only: a ServiceAccount made for it, bound to a Role (a ClusterRole
 * for node actions) holding exactly the rules of its actions, and a TokenRequest token that expires in minutes.
 * `revoke()` deletes the binding, the role and the account, which kills the token.
 */
import {
  ApiException,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import type { ActionPermissions } from './action-permissions.ts';

export interface ExecutionCredential {
  readonly token: string;
  readonly expiresAt: Date;
  /** `system:serviceaccount:<ns>:<name>`: who the apiserver's audit log will show. */
  readonly username: string;
  revoke(): Promise<void>;
}

const tokenSeconds = 600; // the apiserver's minimum

export async function mintExecutionCredential(
  kubeconfig: KubeConfig,
  request: { readonly id: string; readonly permissions: ActionPermissions; readonly homeNamespace: string },
): Promise<ExecutionCredential> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const rbac = kubeconfig.makeApiClient(RbacAuthorizationV1Api);
  const name = `wk-remediate-${request.id.toLowerCase().replace(/[^a-z0-9-]/g, '')}`
    .slice(0, 63)
    .replace(/-+$/, '');
  const { namespace } = request.permissions;
  const accountNamespace = namespace ?? request.homeNamespace;
  const labels = { 'app.kubernetes.io/managed-by': 'watchkeeper', 'watchkeeper.io/remediation': name };
  const rules: V1PolicyRule[] = request.permissions.rules.map((rule) => ({
    apiGroups: [...rule.apiGroups],
    resources: [...rule.resources],
    verbs: [...rule.verbs],
    ...(rule.resourceNames && { resourceNames: [...rule.resourceNames] }),
  }));
  const subject = { kind: 'ServiceAccount', name, namespace: accountNamespace };
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: namespace ? 'Role' : 'ClusterRole', name };

  const ignoreMissing = (error: unknown) => {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
  };
  const revoke = async () => {
    if (namespace) {
      await rbac.deleteNamespacedRoleBinding({ name, namespace }).catch(ignoreMissing);
      await rbac.deleteNamespacedRole({ name, namespace }).catch(ignoreMissing);
    } else {
      await rbac.deleteClusterRoleBinding({ name }).catch(ignoreMissing);
      await rbac.deleteClusterRole({ name }).catch(ignoreMissing);
    }
    await core.deleteNamespacedServiceAccount({ name, namespace: accountNamespace }).catch(ignoreMissing);
  };
  try {
    await core.createNamespacedServiceAccount({
      namespace: accountNamespace,
      body: { metadata: { name, labels } },
    });
    if (namespace) {
      await rbac.createNamespacedRole({ namespace, body: { metadata: { name, labels }, rules } });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: { metadata: { name, labels }, subjects: [subject], roleRef },
      });
    } else {
      await rbac.createClusterRole({ body: { metadata: { name, labels }, rules } });
      await rbac.createClusterRoleBinding({
        body: { metadata: { name, labels }, subjects: [subject], roleRef },
      });
    }
    const issued = await core.createNamespacedServiceAccountToken({
      name,
      namespace: accountNamespace,
      body: { spec: { audiences: [], expirationSeconds: tokenSeconds } },
    });
    const token = issued.status?.token;
    if (!token) throw new Error('the apiserver returned no token');
    return {
      token,
      expiresAt: new Date(issued.status?.expirationTimestamp ?? Date.now() + tokenSeconds * 1000),
      username: `system:serviceaccount:${accountNamespace}:${name}`,
      revoke,
    };
  } catch (error) {
    await revoke().catch(() => undefined);
    throw error;
  }
}
