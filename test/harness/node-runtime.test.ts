/**
 * Agent CLIs are `#!/usr/bin/env node` scripts started through the local sandbox: they run on the first `node` on
 * PATH, which must be the Node the suite runs on. CI (.ci/run) puts Node 24 first on PATH and sets
 * WATCHKEEPER_NODE_MAJOR=24, so a run that fell back to an older Node fails here instead of passing quietly.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxedProcess, stdoutFile } from '../../runners/local/sandboxed-process.ts';
import { defaultLocalSandbox } from '../../runners/local/local-sandbox.ts';

describe('the Node the tests and the agent CLIs run on', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wk-node-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is the same for a script started as agent CLIs are, and as new as CI asks', async () => {
    const cli = join(dir, 'fake-agent-cli');
    await writeFile(cli, '#!/usr/bin/env node\nconsole.log(process.version);\n');
    await chmod(cli, 0o755);
    const outcome = await runSandboxedProcess({
      command: cli,
      args: [],
      cwd: dir,
      env: {},
      timeoutMs: 30_000,
      signal: new AbortController().signal,
      killGraceMs: 1_000,
      sandbox: defaultLocalSandbox, // as agent CLIs run: the sandbox must find the same Node on PATH
      onSpawn: () => Promise.resolve(),
    });
    expect(outcome).toEqual({ kind: 'exited', code: 0, signal: null });
    expect((await readFile(join(dir, stdoutFile), 'utf8')).trim()).toBe(process.version);
    const required = Number(process.env.WATCHKEEPER_NODE_MAJOR ?? '0');
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(required);
  });
});
