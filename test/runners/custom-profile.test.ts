/**
 * A new agent added through configuration alone: `watchkeeper start` with the watcher on the test cluster and a
 * `custom` profile runs a triage end to end — minted read-only token, workspace, report validated and stored.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/store/open-store.ts';
import { createFolderReportStore } from '../../runners/reports/folder-report-store.ts';
import { startCli } from '../cli/run-cli.ts';
import { applyManifests } from '../harness/kube-helpers.ts';
import {
  createGhostPod,
  podStatus,
  setPodStatus,
  useTestNamespace,
  watcherConfigLines,
} from '../intake/cluster-objects.ts';

describe('a custom agent profile, end to end', () => {
  let cwd: string;
  const space = useTestNamespace('triage');

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-agent-'));
    await applyManifests(space.client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('triages a crash-looping pod with kubectl and the minted token, and keeps a validated, redacted report', async () => {
    const agent = fileURLToPath(new URL('agents/kubectl-agent.mjs', import.meta.url));
    await writeFile(
      join(cwd, 'watchkeeper.yaml'),
      [
        'cluster: harness',
        'server: { port: 0 }',
        ...watcherConfigLines(space.name),
        'agents:',
        '  profiles:',
        '    scripted:',
        `      command: ${process.execPath}`,
        `      args: [${agent}, "{promptFile}", "{reportFile}"]`,
      ].join('\n'),
    );
    const cli = startCli(['--config', 'watchkeeper.yaml', 'start'], { cwd });
    try {
      await cli.waitForLine(/triage runs use agent profile scripted/);
      await createGhostPod(space.client, space.name, 'checkout', {}, space.node);
      await setPodStatus(
        space.client,
        space.name,
        'checkout',
        podStatus.crashLooping(1, 'Error', 'panic: missing DATABASE_URL'),
      );
      const opened = JSON.parse(await cli.waitForLine(/incident opened: .*checkout/)) as {
        incidentId: string;
      };
      // Other incidents of the shared test cluster (a NotReady node) may be triaged first: wait for this one.
      const mine = new RegExp(`"incidentId":"${opened.incidentId}".*triage run (finished|failed)`);
      const finished = JSON.parse(await cli.waitForLine(mine, 90_000)) as Record<string, unknown>;
      expect(finished).toMatchObject({ msg: expect.stringMatching(/^triage run finished/) as string });
    } finally {
      cli.child.kill('SIGINT');
      await cli.exited;
    }

    const store = await openStore({ kind: 'pglite', dataDir: join(cwd, '.watchkeeper', 'db') });
    try {
      const incident = await store.incidents.findOpenByFingerprint(
        'harness',
        `resource:Pod/${space.name}/checkout`,
      );
      expect(incident?.state.status).toBe('reported');
      const [run] = incident ? await store.runs.listByIncident(incident.id) : [];
      expect(run).toMatchObject({ status: 'succeeded', agent: 'scripted', runner: 'local' });
      const progress = run ? await store.progress.list(run.id) : [];
      expect(progress.map((e) => e.type)).toEqual([
        'run.started',
        'tool.called',
        'tool.result',
        'tool.called',
        'tool.result',
        'error',
        'assistant.message',
        'run.finished',
      ]);
      expect(progress.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(progress[4]).toMatchObject({ type: 'tool.result', ok: false });
      expect(JSON.stringify(progress)).not.toContain('sk-live-zzzzzzzzzzzzzzzz');
      const report = run ? await store.reports.getByRun(run.id) : undefined;
      expect(report?.card).toEqual({
        status: 'investigated',
        severity: 'high',
        rootCause: 'the container exits at start because DATABASE_URL is not set',
        confidence: 'medium',
      });
      const reports = createFolderReportStore({
        root: join(cwd, '.watchkeeper', 'reports'),
        baseUrl: () => 'http://127.0.0.1',
        signingKey: 'unused-here',
      });
      const read = async (key: string) => Buffer.from((await reports.get(key))?.body ?? []).toString('utf8');
      const markdown = await read(report?.artifacts.markdownKey ?? '');
      expect(markdown).toContain('checkout'); // kubectl with the minted token listed the pod
      expect(markdown).toContain('kubectl get secrets: refused, as expected (forbidden)');
      const html = await read(report?.artifacts.htmlKey ?? '');
      expect(html).toContain('<h2>Triage card</h2>');
      expect(html).not.toContain('<script>');
      const transcript = await read(report?.artifacts.transcriptKey ?? '');
      expect(transcript).toMatch(/kubectl get secrets: refused/);
      expect(transcript).toMatch(/access section: true/);
      expect(transcript).toMatch(/my kubeconfig:/);
      for (const secret of [
        'AKIAABCDEFGHIJKLMNOP',
        'sk-live-abcdefghijklmnop',
        'testkeymaterial',
        'token: eyJ',
      ]) {
        expect(transcript).not.toContain(secret);
      }
      for (const artifact of [markdown, html]) {
        expect(artifact).not.toContain('AKIAQX4RT7LM2WZK5NBP');
        expect(artifact).not.toContain('testkeymaterial');
      }
    } finally {
      await store.close();
    }
  });
});
