/**
 * The skill as it lands in a run's workspace: the prompt's check-report command runs there as written (no
 * node_modules, only Node), and the scripts keep their executable bits through the copy.
 */
import { execFile } from 'node:child_process';
import { access, constants, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWorkspace, type Workspace } from '../../runners/workspace/prepare-workspace.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';

const run = promisify(execFile);

describe('the skill in a prepared workspace', () => {
  let root: string;
  let workspace: Workspace;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wk-skill-workspace-'));
    const incident = makeIncident();
    workspace = await prepareWorkspace({
      root,
      run: makeRun(incident),
      incident,
      faults: [],
      budget: { wallTimeMs: 600_000, maxTurns: 10 },
      skillsPath: '.claude/skills',
    });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("runs the prompt's check-report command as written, on the report the agent wrote", async () => {
    const command = /`(node \S+check-report\.mjs \S+)`/.exec(workspace.prompt)?.[1];
    expect(command, 'the prompt names the check-report command').toBeDefined();
    const [, script = '', report = ''] = (command ?? '').split(' ');
    expect(report).toBe(workspace.reportFile);
    await copyFile(new URL('../runners/fixtures/valid-report.md', import.meta.url), workspace.reportFile);
    const result = await run(process.execPath, [script, report], { cwd: workspace.dir }).catch(
      (error: unknown) => error as { code: number; stdout: string },
    );
    // Accepted, with the fixture's invented `rollback` action flagged for fixing (exit 2).
    expect('code' in result ? result.code : 0).toBe(2);
    expect(result.stdout).toMatch(/accepted[\s\S]*action 0 will be shown as REJECTED/);
  });

  it('keeps the scripts executable and the generated rules next to the checker', async () => {
    const scripts = join(workspace.skillsDir, 'kubernetes-triage', 'scripts');
    for (const file of ['pod-summary.sh', 'workload-summary.sh', 'check-report.mjs'])
      await expect(access(join(scripts, file), constants.X_OK)).resolves.toBeUndefined();
    expect(await readFile(join(scripts, 'lib', 'report-rules.mjs'), 'utf8')).toMatch(/^\/\/ GENERATED/);
  });
});
