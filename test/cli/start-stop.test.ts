/** The README's first command: start with no configuration, see where it listens, stop cleanly, keep data. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationCount } from '../store/migration-count.ts';
import { openStore } from '../../core/store/open-store.ts';
import { makeFault } from '../fixtures/domain.ts';
import { startCli } from './run-cli.ts';

describe('watchkeeper start on embedded defaults', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-start-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  async function startStop(): Promise<{ log: string; code: number | null }> {
    const cli = startCli(['start'], { cwd });
    const line = await cli.waitForLine(/Watchkeeper is listening on/);
    const { url, state } = JSON.parse(line) as { url: string; state: string };
    expect(url).toBe('http://127.0.0.1:8787');
    expect(state).toBe(join(cwd, '.watchkeeper'));
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    cli.child.kill('SIGINT');
    const result = await cli.exited;
    return { log: result.stdout + result.stderr, code: result.code };
  }

  it('starts with no config file and no network, stops cleanly on SIGINT, and keeps its data across restarts', async () => {
    const first = await startStop();
    expect(first.code).toBe(0);
    expect(first.log).toMatch(new RegExp(`database migrated \\(${migrationCount()} applied\\)`));
    expect(first.log).toMatch(/stopping \(SIGINT\)/);
    expect(first.log).toMatch(/stopped cleanly/);

    const dataDir = join(cwd, '.watchkeeper', 'db');
    const fault = makeFault();
    const store = await openStore({ kind: 'pglite', dataDir });
    await store.faults.record(fault);
    await store.close();

    const second = await startStop();
    expect(second.code).toBe(0);
    expect(second.log).toMatch(/database schema is current/);
    expect(await readdir(dataDir)).not.toContain('watchkeeper.pid');

    const reopened = await openStore({ kind: 'pglite', dataDir });
    try {
      expect((await reopened.faults.get(fault.cluster, fault.faultId))?.fault).toEqual(fault);
    } finally {
      await reopened.close();
    }
  });
});
