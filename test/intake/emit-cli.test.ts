/** Two real processes: `watchkeeper emit` serving the test cluster, `watchkeeper start` listening to it. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/process.ts';
import { runCli, startCli, type RunningCli } from '../cli/run-cli.ts';
import { createNamespace, deleteNamespace, kubeClient, type KubeClient } from '../harness/kube-helpers.ts';
import { harness } from '../harness/use.ts';
import { createGhostPod, podStatus, setPodStatus } from './cluster-objects.ts';

/** Each CLI process pays tsx's start-up; on a loaded 2-core machine that alone can pass 30 s. */
const cliTimeoutMs = 180_000;

describe('watchkeeper emit → watchkeeper start (mcp.servers)', () => {
  let cwd: string;
  let client: KubeClient;
  let namespace: string;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-emit-'));
    client = kubeClient(harness('kube').kubeconfigPath);
    namespace = await createNamespace(client, 'emit');
  });
  afterAll(async () => {
    for (const cli of running) {
      cli.child.kill('SIGINT');
      await cli.exited;
    }
    await deleteNamespace(client, namespace);
    await client.core.deleteNode({ name: `ghost-${namespace}` }).catch(() => undefined);
    await rm(cwd, { recursive: true, force: true });
  });

  it(
    'refuses to serve without a token, naming the variable',
    async () => {
      const result = await runCli(['emit'], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^watchkeeper: configuration error: WATCHKEEPER_EMIT_TOKEN: required/);
    },
    cliTimeoutMs,
  );

  it(
    'carries a crash from the cluster to an incident in the listening Watchkeeper',
    async () => {
      const emitPort = await freePort();
      const serverPort = await freePort();
      await writeFile(
        join(cwd, 'emit.yaml'),
        `cluster: harness\nwatcher:\n  kubeconfig: ${harness('kube').kubeconfigPath}\n  namespaces: { include: [${namespace}] }\n`,
      );
      await writeFile(
        join(cwd, 'start.yaml'),
        [
          `server: { port: ${serverPort} }`,
          'watcher: { enabled: false }',
          'mcp:',
          '  servers:',
          `    - { name: harness, url: "http://127.0.0.1:${emitPort}/mcp", tokenEnv: EMIT_TOKEN }`,
        ].join('\n'),
      );
      const env = { WATCHKEEPER_EMIT_TOKEN: 'secret-emit-token', EMIT_TOKEN: 'secret-emit-token' };
      const emit = startCli(['--config', 'emit.yaml', 'emit', '--port', String(emitPort)], { cwd, env });
      running.push(emit);
      await emit.waitForLine(/serving the faults of cluster harness/, cliTimeoutMs);
      const start = startCli(['--config', 'start.yaml', 'start'], { cwd, env });
      running.push(start);
      await start.waitForLine(/MCP server harness connected/, cliTimeoutMs);

      const node = `ghost-${namespace}`;
      await createGhostPod(client, namespace, 'payments', {}, node);
      await setPodStatus(client, namespace, 'payments', podStatus.crashLooping());
      const opened = JSON.parse(await start.waitForLine(/incident opened: .*payments/)) as Record<
        string,
        unknown
      >;
      expect(opened).toMatchObject({
        class: 'CrashLoopBackOff',
        fingerprint: `resource:Pod/${namespace}/payments`,
      });

      const listeners = await runCli(['--config', 'start.yaml', 'listeners'], { cwd, env });
      expect(listeners.code).toBe(0);
      expect(listeners.stdout).toMatch(/^NAME\s+STATUS\s+MECHANISM/);
      expect(listeners.stdout).toMatch(/harness\s+connected\s+logging/);
      expect(start.output()).not.toContain('secret-emit-token');
    },
    cliTimeoutMs,
  );
});
