/** End to end on the embedded default: the watcher inside `watchkeeper start` sees a crash and stores an incident. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/store/open-store.ts';
import { startCli } from '../cli/run-cli.ts';
import {
  createGhostPod,
  podStatus,
  setPodStatus,
  useTestNamespace,
  watcherConfigLines,
} from './cluster-objects.ts';

describe('watchkeeper start with the Kubernetes watcher', () => {
  let cwd: string;
  const space = useTestNamespace('e2e');

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-watch-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('turns a crash-looping pod into a stored fault and a queued incident', async () => {
    await writeFile(
      join(cwd, 'watchkeeper.yaml'),
      ['cluster: harness', 'server: { port: 0 }', ...watcherConfigLines(space.name)].join('\n'),
    );
    const cli = startCli(['--config', 'watchkeeper.yaml', 'start'], { cwd });
    await cli.waitForLine(/watching .* as cluster harness/);
    await createGhostPod(space.client, space.name, 'checkout', {}, space.node);
    await setPodStatus(space.client, space.name, 'checkout', podStatus.crashLooping());
    const opened = await cli.waitForLine(/incident opened: .*checkout/);
    expect(JSON.parse(opened)).toMatchObject({
      class: 'CrashLoopBackOff',
      fingerprint: `resource:Pod/${space.name}/checkout`,
    });
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);

    const store = await openStore({ kind: 'pglite', dataDir: join(cwd, '.watchkeeper', 'db') });
    try {
      // Other nodes of the shared test cluster may be NotReady: only this pod's incident is looked at.
      const incident = await store.incidents.findOpenByFingerprint(
        'harness',
        `resource:Pod/${space.name}/checkout`,
      );
      expect(incident).toMatchObject({ state: { status: 'triage_queued' }, faultCount: 1 });
      const members = incident ? await store.incidents.members(incident.id) : [];
      const stored = await store.faults.get('harness', members[0]?.faultId ?? '');
      expect(stored?.fault).toMatchObject({
        class: 'CrashLoopBackOff',
        resource: { name: 'checkout', namespace: space.name },
      });
    } finally {
      await store.close();
    }
  });
});
