/**
 * The triage role (deploy/rbac/triage-readonly.yaml), what the skill tells the agent it can and cannot read
 * (skills/kubernetes-triage/references/access.md) and the access summary the prompt shows
 * (runners/tokens/access-summary.ts) say the same thing — checked on the files and against the real apiserver
 * with a minted triage token.
 */
import { readFile } from 'node:fs/promises';
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { accessChecks, accessSummary, describeCheck } from '../../runners/tokens/access-summary.ts';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken } from '../../runners/tokens/run-token.ts';
import { applyManifests, kubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';

const roleFile = new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url);
const accessFile = new URL('../../skills/kubernetes-triage/references/access.md', import.meta.url);

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** `group/resource` keys (`core` for the core group), as access.md writes them. */
const key = (group: string | undefined, resource: string) =>
  `${group === undefined || group === '' ? 'core' : group}/${resource}`;

async function roleRules(): Promise<Rule[]> {
  const documents = parseAllDocuments(await readFile(roleFile, 'utf8')).map((d) => d.toJS() as unknown);
  const role = documents.find(
    (d): d is { rules: Rule[] } =>
      (d as { kind?: string }).kind === 'ClusterRole' &&
      (d as { metadata?: { name?: string } }).metadata?.name === 'watchkeeper-triage-read',
  );
  if (!role) throw new Error('deploy/rbac/triage-readonly.yaml has no ClusterRole watchkeeper-triage-read');
  return role.rules;
}

function granted(rules: readonly Rule[]): Set<string> {
  const keys = new Set<string>();
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? []) keys.add(key(group, resource));
  return keys;
}

/** The `| group | resources | … |` rows of one section of access.md. */
function table(markdown: string, heading: string): Set<string> {
  const body = markdown.split(/^## /m).find((s) => s.startsWith(heading));
  if (!body) throw new Error(`access.md has no section "## ${heading}"`);
  const keys = new Set<string>();
  for (const line of body.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || cells[1] === 'Group' || /^-+$/.test(cells[1] ?? '')) continue;
    for (const resource of (cells[2] ?? '').split(',')) keys.add(`${cells[1]}/${resource.trim()}`);
  }
  return keys;
}

const readOnlyVerbs = ['get', 'list', 'watch'];

describe('the triage role, the skill and the prompt agree on what triage can read', () => {
  it('grants only reads, no wildcards, no names and no raw URLs', async () => {
    for (const rule of await roleRules()) {
      expect(rule.verbs).toEqual(readOnlyVerbs);
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
      expect([...(rule.apiGroups ?? []), ...(rule.resources ?? [])]).not.toContain('*');
    }
  });

  it('is described exactly by the skill: what it can read, and never what it cannot', async () => {
    const role = granted(await roleRules());
    const markdown = await readFile(accessFile, 'utf8');
    const readable = table(markdown, 'What this token can read');
    const refused = table(markdown, 'What it cannot read');
    expect([...readable].sort()).toEqual([...role].sort());
    expect(refused).toContain('core/secrets');
    expect(refused).toContain('core/pods/exec');
    expect(refused).toContain('metrics.k8s.io/pods');
    for (const item of refused) expect(role.has(item), `${item} must not be granted`).toBe(false);
  });

  it("checks in the prompt's access summary what the skill relies on and what it is told it cannot do", async () => {
    const markdown = await readFile(accessFile, 'utf8');
    const readable = table(markdown, 'What this token can read');
    const refused = table(markdown, 'What it cannot read');
    for (const check of accessChecks) {
      const item = key(
        check.group,
        check.subresource ? `${check.resource}/${check.subresource}` : check.resource,
      );
      if (check.intended === 'allowed') {
        expect(readOnlyVerbs, describeCheck(check)).toContain(check.verb);
        expect(readable, describeCheck(check)).toContain(item);
      } else if (readOnlyVerbs.includes(check.verb)) expect(refused, describeCheck(check)).toContain(item);
    }
    expect(accessChecks.filter((c) => c.intended === 'refused').map(describeCheck)).toEqual(
      expect.arrayContaining(['get secrets', 'create pods/exec', 'list pods.metrics.k8s.io']),
    );
  });

  describe('on the real apiserver, with a minted triage token', () => {
    let kubeconfig: string;
    beforeAll(async () => {
      const admin = kubeClient(harness('kube').kubeconfigPath);
      await applyManifests(admin, [await readFile(roleFile, 'utf8')]);
      const token = await mintRunToken(
        admin.config,
        { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
        { id: `access-${Date.now()}`, deadline: new Date(Date.now() + 10 * 60_000) },
      );
      kubeconfig = runKubeconfig(admin.config, token.token);
      return () => token.revoke();
    });

    it('answers every access-summary check as the role intends', async () => {
      const lines = await accessSummary(kubeconfig);
      expect(lines.map((l) => [l.action, l.allowed])).toEqual(
        accessChecks.map((c) => [describeCheck(c), c.intended === 'allowed']),
      );
    });

    it('allows every read access.md lists as readable and refuses every one it lists as not', async () => {
      const markdown = await readFile(accessFile, 'utf8');
      const config = new KubeConfig();
      config.loadFromString(kubeconfig);
      const api = config.makeApiClient(AuthorizationV1Api);
      const allowed = async (item: string) => {
        const [group = '', resource = '', subresource] = item.split('/');
        const review = await api.createSelfSubjectAccessReview({
          body: {
            spec: {
              resourceAttributes: {
                verb:
                  subresource === 'exec' || subresource === 'attach' || subresource === 'portforward'
                    ? 'create'
                    : 'get',
                resource,
                group: group === 'core' ? '' : group,
                ...(subresource && { subresource }),
              },
            },
          },
        });
        return review.status?.allowed === true;
      };
      for (const item of table(markdown, 'What this token can read'))
        expect(await allowed(item), item).toBe(true);
      for (const item of table(markdown, 'What it cannot read'))
        expect(await allowed(item), item).toBe(false);
    });
  });
});
