/** `watchkeeper start` listening to the fork (twice: as it is, and forced to `mechanism: resources`), read with `watchkeeper listeners`. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../cli/run-cli.ts';
import { freePort } from '../harness/process.ts';
import { startForkFake, type ForkFake } from './fork-fake-server.ts';

describe('watchkeeper listeners with the public fork', () => {
  let cwd: string;
  let fork: ForkFake;
  let start: RunningCli | undefined;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-listeners-'));
    fork = await startForkFake();
  });
  afterAll(async () => {
    start?.child.kill('SIGINT');
    await start?.exited;
    await fork.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it('shows the fork as not reconcilable and the forced resources mechanism as a configuration error, each said once', async () => {
    const port = await freePort();
    await writeFile(
      join(cwd, 'start.yaml'),
      [
        `server: { port: ${port} }`,
        'watcher: { enabled: false }',
        'mcp:',
        '  servers:',
        `    - { name: fork, url: "${fork.url}", cluster: prod }`,
        `    - { name: forced, url: "${fork.url}", cluster: prod, mechanism: resources, faultTtlMinutes: 0 }`,
      ].join('\n'),
    );
    start = startCli(['--config', 'start.yaml', 'start'], { cwd });
    await start.waitForLine(/MCP server fork connected/, 180_000);
    await start.waitForLine(/MCP server forced cannot be used as configured/);
    await sleep(1_500);

    const listeners = await runCli(['--config', 'start.yaml', 'listeners'], { cwd });
    expect(listeners.code).toBe(0);
    const out = listeners.stdout;
    expect(out).toMatch(/^NAME\s+STATUS\s+MECHANISM\s+RECONCILE/);
    expect(out).toMatch(/\nfork\s+connected\s+logging\s+not reconcilable\s/);
    expect(out).toMatch(/\nforced\s+misconfigured\s+-\s+-\s/);
    expect(out).toContain(
      'fork: not reconcilable: fork offers no list_faults tool and no fault resources, so faults raised while disconnected from fork cannot be recovered',
    );
    expect(out).toContain('fork: its faults expire 30 min after the server last sent them');
    expect(out).toContain(
      'forced: not listened to: mechanism resources is configured, but forced does not offer it; it offers logging (events_subscribe)',
    );

    const log = start.output();
    expect(log.match(/cannot be recovered/g)).toHaveLength(1);
    expect(log.match(/forced cannot be used as configured/g)).toHaveLength(1);
    expect(log).not.toMatch(/MCP server forced: .*retrying in/);
    // One session for `fork`, one attempt for `forced`: no retry loop.
    expect(fork.initializes()).toBe(2);
  }, 300_000);
});
