/** What a token can and cannot do, asked of the apiserver (SelfSubjectAccessReview), for the triage prompt. */
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';

interface Check {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly subresource?: string;
}

const checks: readonly Check[] = [
  { verb: 'list', resource: 'pods' },
  { verb: 'get', resource: 'pods', subresource: 'log' },
  { verb: 'list', resource: 'events' },
  { verb: 'list', resource: 'nodes' },
  { verb: 'list', resource: 'deployments', group: 'apps' },
  { verb: 'get', resource: 'secrets' },
  { verb: 'create', resource: 'pods', subresource: 'exec' },
  { verb: 'delete', resource: 'pods' },
  { verb: 'patch', resource: 'deployments', group: 'apps' },
];

export interface AccessLine {
  readonly action: string;
  readonly allowed: boolean;
}

export async function accessSummary(kubeconfigYaml: string): Promise<readonly AccessLine[]> {
  const config = new KubeConfig();
  config.loadFromString(kubeconfigYaml);
  const api = config.makeApiClient(AuthorizationV1Api);
  return Promise.all(
    checks.map(async (check) => {
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
      const what = `${check.verb} ${check.group ? `${check.resource}.${check.group}` : check.resource}${check.subresource ? `/${check.subresource}` : ''}`;
      return { action: what, allowed: review.status?.allowed === true };
    }),
  );
}

export function formatAccess(lines: readonly AccessLine[]): string {
  const can = lines.filter((l) => l.allowed).map((l) => l.action);
  const cannot = lines.filter((l) => !l.allowed).map((l) => l.action);
  return `can: ${can.join(', ') || 'nothing checked'}\ncannot: ${cannot.join(', ') || 'nothing checked'}`;
}
