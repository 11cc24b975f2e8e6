/**
 * What a token can and cannot do, asked of the apiserver (SelfSubjectAccessReview), for the triage prompt. The
 * checks name what the kubernetes-triage skill relies on and what it is told it cannot do (its
 * references/access.md); test/skills/access-agreement.test.ts keeps them, that reference and the triage role
 * (deploy/rbac/triage-readonly.yaml) in agreement.
 */
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';

export interface AccessCheck {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly subresource?: string;
  /** What the triage role intends: the skill is written for exactly this. */
  readonly intended: 'allowed' | 'refused';
}

export const accessChecks: readonly AccessCheck[] = [
  { verb: 'list', resource: 'pods', intended: 'allowed' },
  { verb: 'get', resource: 'pods', subresource: 'log', intended: 'allowed' },
  { verb: 'list', resource: 'events', intended: 'allowed' },
  { verb: 'list', resource: 'nodes', intended: 'allowed' },
  { verb: 'list', resource: 'configmaps', intended: 'allowed' },
  { verb: 'list', resource: 'deployments', group: 'apps', intended: 'allowed' },
  { verb: 'list', resource: 'jobs', group: 'batch', intended: 'allowed' },
  { verb: 'list', resource: 'horizontalpodautoscalers', group: 'autoscaling', intended: 'allowed' },
  { verb: 'list', resource: 'ingresses', group: 'networking.k8s.io', intended: 'allowed' },
  {
    verb: 'list',
    resource: 'validatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
    intended: 'allowed',
  },
  { verb: 'list', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io', intended: 'allowed' },
  { verb: 'list', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', intended: 'allowed' },
  { verb: 'get', resource: 'secrets', intended: 'refused' },
  { verb: 'create', resource: 'pods', subresource: 'exec', intended: 'refused' },
  { verb: 'list', resource: 'pods', group: 'metrics.k8s.io', intended: 'refused' },
  { verb: 'create', resource: 'pods', intended: 'refused' },
  { verb: 'delete', resource: 'pods', intended: 'refused' },
  { verb: 'patch', resource: 'deployments', group: 'apps', intended: 'refused' },
];

export interface AccessLine {
  readonly action: string;
  readonly allowed: boolean;
}

export function describeCheck(check: AccessCheck): string {
  const resource = check.group ? `${check.resource}.${check.group}` : check.resource;
  return `${check.verb} ${resource}${check.subresource ? `/${check.subresource}` : ''}`;
}

export async function accessSummary(kubeconfigYaml: string): Promise<readonly AccessLine[]> {
  const config = new KubeConfig();
  config.loadFromString(kubeconfigYaml);
  const api = config.makeApiClient(AuthorizationV1Api);
  return Promise.all(
    accessChecks.map(async (check) => {
      const review = await api.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              verb: check.verb,
              resource: check.resource,
              ...(check.group && { group: check.group }),
              ...(check.subresource && { subresource: check.subresource }),
            },
          },
        },
      });
      return { action: describeCheck(check), allowed: review.status?.allowed === true };
    }),
  );
}

export function formatAccess(lines: readonly AccessLine[]): string {
  const can = lines.filter((l) => l.allowed).map((l) => l.action);
  const cannot = lines.filter((l) => !l.allowed).map((l) => l.action);
  return `can: ${can.join(', ') || 'nothing checked'}\ncannot: ${cannot.join(', ') || 'nothing checked'}`;
}
