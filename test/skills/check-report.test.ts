/**
 * check-report.mjs, the script the agent runs before it stops, must judge a report exactly as the server does.
 * Its rules are generated from runners/reports/parse-report.ts; this fails when the committed copy drifts, and
 * runs the script (as a process, from a copy of the skill with no node_modules around, as in a workspace) and the
 * server's parser on the same reports.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemediationActionSchema } from '../../core/domain/remediation.ts';
import { parseReport } from '../../runners/reports/parse-report.ts';
import { generateReportRules, reportRulesFile } from './generate-report-rules.ts';

const execFileAsync = promisify(execFile);

/** Runs a script with the Node running the tests; its exit code and stdout, also when it fails. */
async function runNode(args: readonly string[], cwd?: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, args, cwd ? { cwd } : {});
    return { code: 0, stdout };
  } catch (error: unknown) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}
const skillSource = new URL('../../skills/kubernetes-triage/', import.meta.url);

const base = `# checkout cannot pull its image

## Triage card

- Status: investigated
- Severity: high
- Root cause: the image tag does not exist
- Confidence: high

## Problem statement
x
## Findings
x
## Hypotheses
x
## Remediation plan
\`\`\`json watchkeeper-actions
ACTIONS
\`\`\`
## Proof of work
x
`;

const deployment = { kind: 'Deployment', namespace: 'shop', name: 'checkout' };
const why = { rationale: 'r', risk: 'r' };
const container = (extra: object) => ({
  spec: { template: { spec: { containers: [{ name: 'app', ...extra }] } } },
});

/** Actions the server accepts or rejects for every reason its schema and patch policy know. */
const actions: Record<string, unknown> = {
  'a restart': { type: 'rollout_restart', target: deployment, ...why },
  'a restart of a CronJob': { type: 'rollout_restart', target: { ...deployment, kind: 'CronJob' }, ...why },
  'a scale': { type: 'scale', target: deployment, replicas: 3, ...why },
  'a scale to -1': { type: 'scale', target: deployment, replicas: -1, ...why },
  'a scale to 1.5': { type: 'scale', target: deployment, replicas: 1.5, ...why },
  'a scale to "3"': { type: 'scale', target: deployment, replicas: '3', ...why },
  'a scale to 1001': { type: 'scale', target: deployment, replicas: 1001, ...why },
  'a scale of a DaemonSet': {
    type: 'scale',
    target: { ...deployment, kind: 'DaemonSet' },
    replicas: 1,
    ...why,
  },
  'a set_image': { type: 'set_image', target: deployment, container: 'app', image: 'r/app:1.2', ...why },
  'a set_image without container': { type: 'set_image', target: deployment, image: 'r/app:1.2', ...why },
  'a merge patch of limits': {
    type: 'patch',
    target: deployment,
    patchType: 'strategic-merge',
    patch: container({ resources: { limits: { memory: '1Gi' } } }),
    ...why,
  },
  'a merge patch of the image': {
    type: 'patch',
    target: deployment,
    patchType: 'strategic-merge',
    patch: container({ image: 'evil' }),
    ...why,
  },
  'a merge patch of replicas': {
    type: 'patch',
    target: deployment,
    patchType: 'strategic-merge',
    patch: { spec: { replicas: 0, template: { spec: { containers: [{ name: 'app' }] } } } },
    ...why,
  },
  'a JSON patch of a probe': {
    type: 'patch',
    target: deployment,
    patchType: 'json',
    patch: [
      { op: 'replace', path: '/spec/template/spec/containers/0/livenessProbe/timeoutSeconds', value: 5 },
    ],
    ...why,
  },
  'a JSON patch of the command': {
    type: 'patch',
    target: deployment,
    patchType: 'json',
    patch: [{ op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['sh'] }],
    ...why,
  },
  'a JSON patch with move': {
    type: 'patch',
    target: deployment,
    patchType: 'json',
    patch: [{ op: 'move', from: '/a', path: '/spec/template/spec/containers/0/env' }],
    ...why,
  },
  'a patch without a patch': { type: 'patch', target: deployment, patchType: 'json', ...why },
  'a patch of type merge': { type: 'patch', target: deployment, patchType: 'merge', patch: {}, ...why },
  'a rollback': { type: 'rollback_deployment', target: deployment, revision: 4, ...why },
  'a rollback without revision': { type: 'rollback_deployment', target: deployment, ...why },
  'a rollback to 0': { type: 'rollback_deployment', target: deployment, revision: 0, ...why },
  'a rollback of a StatefulSet': {
    type: 'rollback_deployment',
    target: { ...deployment, kind: 'StatefulSet' },
    revision: 2,
    ...why,
  },
  'an action named rollback': { type: 'rollback', target: deployment, revision: 4, ...why },
  'a delete_pod': { type: 'delete_pod', target: { kind: 'Pod', namespace: 'shop', name: 'p-1' }, ...why },
  'a delete_pod of a Deployment': { type: 'delete_pod', target: deployment, ...why },
  'a cordon': { type: 'cordon_node', target: { kind: 'Node', name: 'n1' }, ...why },
  'a cordon with a namespace': {
    type: 'cordon_node',
    target: { kind: 'Node', name: 'n1', namespace: 'x' },
    ...why,
  },
  'an uncordon': { type: 'uncordon_node', target: { kind: 'Node', name: 'n1' }, ...why },
  'an uncordon without risk': { type: 'uncordon_node', target: { kind: 'Node', name: 'n1' }, rationale: 'r' },
  'an empty rationale': {
    type: 'cordon_node',
    target: { kind: 'Node', name: 'n1' },
    rationale: '',
    risk: 'r',
  },
  'a rationale of 2001 characters': {
    type: 'cordon_node',
    target: { kind: 'Node', name: 'n1' },
    rationale: 'x'.repeat(2001),
    risk: 'r',
  },
  'a name of 254 characters': {
    type: 'cordon_node',
    target: { kind: 'Node', name: 'n'.repeat(254) },
    ...why,
  },
  'an extra field': { type: 'cordon_node', target: { kind: 'Node', name: 'n1' }, command: 'rm -rf', ...why },
  'a shell command': { type: 'shell', command: 'kubectl delete ns prod' },
};

const reports: Record<string, string> = {
  'no actions': base.replace('ACTIONS', '[]'),
  'every kind of action': base.replace('ACTIONS', JSON.stringify(Object.values(actions), null, 2)),
  ...Object.fromEntries(
    Object.entries(actions).map(([what, action]) => [
      what,
      base.replace('ACTIONS', JSON.stringify([action])),
    ]),
  ),
  'a missing section': base.replace('## Hypotheses\nx\n', '').replace('ACTIONS', '[]'),
  'a bad severity': base.replace('Severity: high', 'Severity: P1').replace('ACTIONS', '[]'),
  'no root cause': base.replace('- Root cause: the image tag does not exist\n', '').replace('ACTIONS', '[]'),
  'a bad confidence': base.replace('Confidence: high', 'Confidence: 90%').replace('ACTIONS', '[]'),
  'no actions block': base.replace(/```json watchkeeper-actions[\s\S]*?```/, 'none'),
  'actions that are not JSON': base.replace('ACTIONS', '[{type: "cordon_node"}]'),
  'an actions object': base.replace('ACTIONS', '{"type": "cordon_node"}'),
  'actions without type': base.replace('ACTIONS', '[{"target": {}}]'),
  'bold card fields': base
    .replace('- Severity: high', '- **Severity**: critical')
    .replace('- Confidence: high', '* Confidence: Medium')
    .replace('ACTIONS', '[]'),
  'an empty file': '',
};

function serverVerdict(markdown: string) {
  const check = parseReport(markdown);
  return check.ok
    ? {
        accepted: true,
        problems: [],
        actions: check.report.actions.map((a) => a.type),
        rejected: check.report.rejectedActions.map((r) => r.index),
      }
    : { accepted: false, problems: [...check.problems], actions: [], rejected: [] };
}

describe('check-report.mjs, the agent-side report check', () => {
  let workspace: string;
  let script: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'wk-check-report-'));
    await cp(skillSource, join(workspace, '.claude/skills/kubernetes-triage'), { recursive: true });
    script = join(workspace, '.claude/skills/kubernetes-triage/scripts/check-report.mjs');
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  async function agentVerdict(markdown: string) {
    const file = join(workspace, 'report.md');
    await writeFile(file, markdown);
    const result = await runNode([script, file, '--json'], workspace);
    const verdict = JSON.parse(result.stdout) as {
      accepted: boolean;
      problems: string[];
      actions: string[];
      rejectedActions: { index: number; problem: string }[];
    };
    return {
      code: result.code,
      verdict: {
        accepted: verdict.accepted,
        problems: verdict.problems,
        actions: verdict.actions,
        rejected: verdict.rejectedActions.map((r) => r.index),
      },
    };
  }

  it('is generated from the server validator, and the committed copy is current', async () => {
    const committed = await readFile(reportRulesFile, 'utf8');
    expect(committed, 'run `npm run skill:generate` and commit the result').toBe(await generateReportRules());
    // zod or an SDK pulled into the bundle would make it hundreds of kB: the stand-ins stopped working.
    expect(committed.length).toBeLessThan(40_000);
  });

  it.each(Object.entries(reports))(
    'gives the server verdict on a report with %s',
    async (_what, markdown) => {
      const server = serverVerdict(markdown);
      const agent = await agentVerdict(markdown);
      expect(agent.verdict).toEqual(server);
      expect(agent.code).toBe(!server.accepted ? 1 : server.rejected.length > 0 ? 2 : 0);
    },
  );

  it('covers both outcomes for each action type (the list above is a real test)', () => {
    const outcomes = Object.values(actions).map((a) => [
      (a as { type: string }).type,
      RemediationActionSchema.safeParse(a).success,
    ]);
    for (const type of RemediationActionSchema.options.map((o) => o.shape.type.value))
      expect(outcomes.filter(([t]) => t === type).map(([, ok]) => ok)).toEqual(
        expect.arrayContaining([true, false]),
      );
  });

  it('accepts the fixture report the server accepts, and flags its invented action', async () => {
    const fixture = await readFile(new URL('../runners/fixtures/valid-report.md', import.meta.url), 'utf8');
    const agent = await agentVerdict(fixture);
    expect(agent.verdict).toEqual(serverVerdict(fixture));
    expect(agent.verdict.accepted).toBe(true);
    expect(agent.verdict.rejected).toEqual([0]);
  });

  it('tells a person what to fix in plain text, and says when the file is missing', async () => {
    const file = join(workspace, 'report.md');
    await writeFile(file, reports['a missing section'] ?? '');
    const rejected = await runNode([script, file]);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/REJECTED[\s\S]*missing section "## Hypotheses"/);
    const missing = await runNode([script, join(workspace, 'nope.md')]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/cannot read .*nope\.md/);
  });
});
