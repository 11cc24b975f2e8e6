/**
 * The kubernetes-triage skill as the agent CLIs load it and as an agent follows it: the Agent Skills front matter,
 * a router entry for every fault class Watchkeeper emits, references and scripts that exist, an action cookbook
 * whose every example the server accepts, and no step that asks for something the triage token cannot do.
 */
import { access, constants, readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { faultClasses } from '../../core/domain/fault.ts';
import { RemediationActionSchema } from '../../core/domain/remediation.ts';
import { parseReport } from '../../runners/reports/parse-report.ts';

const skillDir = fileURLToPath(new URL('../../skills/kubernetes-triage/', import.meta.url));
const read = (path: string) => readFile(`${skillDir}${path}`, 'utf8');
const actionTypes = RemediationActionSchema.options.map((option) => option.shape.type.value);

function reportWith(actions: string): string {
  return `# t\n\n## Triage card\n\n- Status: investigated\n- Severity: high\n- Root cause: x\n- Confidence: high\n\n## Problem statement\nx\n## Findings\nx\n## Hypotheses\nx\n## Remediation plan\n\`\`\`json watchkeeper-actions\n${actions}\n\`\`\`\n## Proof of work\nx\n`;
}

function jsonBlocks(markdown: string, info = 'json'): string[] {
  return [...markdown.matchAll(new RegExp('^```' + info + '\\s*\\n([\\s\\S]*?)^```', 'gm'))].map(
    (m) => m[1] ?? '',
  );
}

describe('the kubernetes-triage skill', () => {
  it('has the front matter the Agent Skills format and the CLIs require', async () => {
    const skill = await read('SKILL.md');
    const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1];
    expect(front, 'SKILL.md starts with YAML front matter').toBeDefined();
    const meta = parse(front ?? '') as Record<string, unknown>;
    expect(Object.keys(meta).sort()).toEqual(['description', 'name']);
    expect(meta.name).toBe('kubernetes-triage');
    expect(String(meta.name)).toMatch(/^[a-z0-9-]{1,64}$/);
    expect(typeof meta.description).toBe('string');
    expect(String(meta.description).length).toBeLessThanOrEqual(1024);
    expect(skill.split('\n').length).toBeLessThan(500);
  });

  it('routes every fault class Watchkeeper emits, each to a first read', async () => {
    const skill = await read('SKILL.md');
    const rows = skill
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .map((line) => [line.split('|')[1]?.trim() ?? '', line] as const);
    for (const faultClass of faultClasses) {
      const row = rows.find(([first]) => first.split(' / ').includes(faultClass))?.[1];
      expect(row, `router row for ${faultClass}`).toBeDefined();
      expect(row).toMatch(/summary\.sh|kubectl|table below/);
    }
    for (const alert of [
      'KubePodCrashLooping',
      'KubePodNotReady',
      'KubeDeploymentReplicasMismatch',
      'KubeJobFailed',
      'KubePersistentVolumeFillingUp',
      'KubeNodeNotReady',
      'CPUThrottlingHigh',
      'TargetDown',
    ])
      expect(skill).toMatch(new RegExp(`^\\| [^|]*\\b${alert}\\b`, 'm'));
  });

  it('names only references and scripts that exist, and every reference is reachable from SKILL.md', async () => {
    const skill = await read('SKILL.md');
    const references = await readdir(`${skillDir}references`);
    for (const file of references)
      expect(skill, `SKILL.md mentions ${file}`).toContain(file.replace(/\.md$/, ''));
    const everything = [skill, ...(await Promise.all(references.map((f) => read(`references/${f}`))))].join(
      '\n',
    );
    for (const [, name] of everything.matchAll(/`?([a-z-]+\.md)`?/g))
      if (name !== 'SKILL.md' && name !== 'report.md')
        expect(references, `${name} is a reference`).toContain(name);
    for (const [, script] of everything.matchAll(/scripts\/([a-z-]+\.(?:sh|mjs))/g)) {
      await expect(access(`${skillDir}scripts/${script}`, constants.X_OK)).resolves.toBeUndefined();
    }
  });

  it('has a cookbook whose every example the server accepts, covering every action type', async () => {
    const cookbook = await read('references/actions.md');
    const seen = new Set<string>();
    const blocks = jsonBlocks(cookbook);
    expect(blocks.length).toBeGreaterThanOrEqual(actionTypes.length - 1);
    for (const block of blocks) {
      const check = parseReport(reportWith(block));
      expect(check.ok, block).toBe(true);
      if (!check.ok) continue;
      expect(check.report.rejectedActions, block).toEqual([]);
      for (const action of check.report.actions) seen.add(action.type);
    }
    expect([...seen].sort()).toEqual([...actionTypes].sort());
    // The example in SKILL.md itself, and the report skeleton with it, are accepted as well.
    const skill = await read('SKILL.md');
    const example = jsonBlocks(skill, 'json watchkeeper-actions')[0] ?? '';
    const check = parseReport(reportWith(example));
    expect(check.ok && check.report.actions.length === 1 && check.report.rejectedActions.length === 0).toBe(
      true,
    );
  });

  it('never tells the agent to do what the triage token or the deny policy refuses', async () => {
    const files = ['SKILL.md', ...(await readdir(`${skillDir}references`)).map((f) => `references/${f}`)];
    for (const file of files) {
      const text = await read(file);
      for (const line of text.split('\n')) {
        // Mentions are fine where the text says they are refused; a step that uses them is not.
        if (
          /not readable|cannot|refused|never|not permitted|no change|\| metrics\.k8s\.io|\| core \| (secrets|pods\/exec)/i.test(
            line,
          )
        )
          continue;
        expect(line, file).not.toMatch(/kubectl (top|exec|debug|run|cp|port-forward|edit|apply|delete)\b/);
        expect(line, file).not.toMatch(/kubectl get secrets?\b/);
        expect(line, file).not.toMatch(/\/apis\/metrics\.k8s\.io|\b(pods|nodes)\.metrics\.k8s\.io/);
      }
      // Actions are named exactly as the schema names them.
      for (const [, type] of text.matchAll(/"type":\s*"([a-z_]+)"/g))
        expect(actionTypes, file).toContain(type);
    }
  });
});
