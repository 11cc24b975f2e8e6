/**
 * Stopping while a dependency is unreachable must not wait out a backoff or a reconnect loop: an operator's
 * SIGTERM during an outage returns at once. Each case makes the dependency vanish for real (its port closed)
 * and measures from the signal to the process exit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness } from '../harness/use.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { closedPort, startOutageProxy } from './outage-proxy.ts';
import { startCli, type RunningCli } from './run-cli.ts';

/**
 * Generous for a loaded 2-core machine, yet well under what the old code took (a backoff of up to 30 s) and
 * under the launcher's 5 s forced exit, so a hang cannot pass as a clean stop.
 */
const stopBoundMs = 2_500;
const figures: string[] = [];

describe('stopping Watchkeeper while a dependency is unreachable', () => {
  let cwd: string;
  let cli: RunningCli | undefined;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-outage-'));
  });
  afterEach(async () => {
    if (cli?.child.exitCode === null) cli.child.kill('SIGKILL');
    cli = undefined;
    await rm(cwd, { recursive: true, force: true });
  });
  afterAll(() => {
    console.log(`stop during an outage (SIGTERM to exit):\n  ${figures.join('\n  ')}`);
  });

  async function start(yaml: string[], env: Record<string, string> = {}): Promise<RunningCli> {
    await writeFile(join(cwd, 'watchkeeper.yaml'), ['server: { port: 0 }', ...yaml].join('\n'));
    cli = startCli(['--config', 'watchkeeper.yaml', 'start'], { cwd, env });
    await cli.waitForLine(/Watchkeeper is listening on/, 240_000);
    return cli;
  }

  async function stopTimed(running: RunningCli, what: string): Promise<void> {
    const signalled = performance.now();
    running.child.kill('SIGTERM');
    const result = await running.exited;
    const ms = Math.round(performance.now() - signalled);
    figures.push(`${what}: ${ms} ms`);
    const log = result.stdout + result.stderr;
    expect(result.code, log).toBe(0);
    expect(log).toMatch(/stopping \(SIGTERM\)/);
    expect(log).toMatch(/stopped cleanly/);
    expect(ms, `${what}: stopping took ${ms} ms\n${log}`).toBeLessThan(stopBoundMs);
  }

  it('an MCP server that refuses connections (backing off between attempts)', async () => {
    const port = await closedPort();
    const running = await start([
      'mcp:',
      '  servers:',
      `    - { name: gone, url: "http://127.0.0.1:${port}/mcp" }`,
    ]);
    await running.waitForLine(/MCP server gone: .*retrying in/);
    // a few failures in, the source waits seconds before its next attempt (0.5, 1, 2, 4 s…)
    await sleep(5_000);
    await stopTimed(running, 'MCP server unreachable');
  }, 300_000);

  it('PostgreSQL gone while running', async () => {
    const database = await createTestDatabase();
    try {
      const url = new URL(database.url);
      const proxy = await startOutageProxy({ host: url.hostname, port: Number(url.port) });
      url.port = String(proxy.port);
      const running = await start([], { WATCHKEEPER_DATABASE_URL: url.toString() });
      await proxy.cut();
      await sleep(2_000);
      await stopTimed(running, 'PostgreSQL unreachable');
    } finally {
      await database.drop();
    }
  }, 300_000);

  it('NATS gone while running (the client reconnecting)', async () => {
    const nats = new URL(harness('nats').url);
    const proxy = await startOutageProxy({ host: nats.hostname, port: Number(nats.port) });
    const running = await start([
      'bus:',
      '  kind: nats',
      '  nats:',
      `    url: nats://127.0.0.1:${proxy.port}`,
    ]);
    await proxy.cut();
    await sleep(2_000);
    await stopTimed(running, 'NATS unreachable');
  }, 300_000);
});
