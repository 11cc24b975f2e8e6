/** The read-only Kubernetes MCP server a run's agent gets, with the run's minted token (harness cluster). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKubeconfig } from '../../runners/tokens/run-kubeconfig.ts';
import { mintRunToken, type RunToken } from '../../runners/tokens/run-token.ts';
import { prepareWorkspace } from '../../runners/workspace/prepare-workspace.ts';
import { makeIncident, makeRun } from '../fixtures/domain.ts';
import { applyManifests } from '../harness/kube-helpers.ts';
import { binaries } from '../harness/process.ts';
import { createGhostPod, useTestNamespace } from '../intake/cluster-objects.ts';

describe('the Kubernetes MCP server in a run workspace', () => {
  const space = useTestNamespace('mcp-tools');
  let dir: string;
  let token: RunToken;
  let client: Client;

  beforeAll(async () => {
    await applyManifests(space.client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    await createGhostPod(space.client, space.name, 'payments-api', {}, space.node);
    dir = await mkdtemp(join(tmpdir(), 'wk-mcp-'));
    const incident = makeIncident();
    const run = makeRun(incident);
    token = await mintRunToken(
      space.client.config,
      { namespace: 'watchkeeper-system', serviceAccount: 'watchkeeper-triage' },
      {
        id: run.id,
        deadline: new Date(Date.now() + 600_000),
      },
    );
    const workspace = await prepareWorkspace({
      root: dir,
      run,
      incident,
      faults: [],
      budget: { wallTimeMs: 600_000, maxTurns: 10 },
      skillsPath: '.claude/skills',
      kubernetesMcpServer: binaries().kubernetesMcpServer,
      access: {
        kubeconfig: runKubeconfig(space.client.config, token.token),
        summary: '',
        expiresAt: token.expiresAt,
      },
    });
    const config = JSON.parse(await readFile(workspace.mcpConfigFile ?? '', 'utf8')) as {
      mcpServers: { kubernetes: { command: string; args: string[] } };
    };
    const server = config.mcpServers.kubernetes;
    expect(server.args).toContain('--read-only');
    client = new Client({ name: 'agent', version: '1' });
    await client.connect(
      new StdioClientTransport({ command: server.command, args: server.args, stderr: 'ignore' }),
    );
  });
  afterAll(async () => {
    await client.close();
    await token.revoke();
    await rm(dir, { recursive: true, force: true });
  });

  it('offers read-only tools only', async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(
      expect.arrayContaining([
        'pods_list_in_namespace',
        'pods_get',
        'pods_log',
        'events_list',
        'resources_get',
      ]),
    );
    expect(tools.filter((t) => /delete|create|exec|run|scale|update/.test(t))).toEqual([]);
  });

  it('reads the cluster with the run token, and cannot read Secrets with it', async () => {
    const pods = await client.callTool({
      name: 'pods_list_in_namespace',
      arguments: { namespace: space.name },
    });
    expect(JSON.stringify(pods.content)).toContain('payments-api');
    const secret = await client.callTool({
      name: 'resources_get',
      arguments: { apiVersion: 'v1', kind: 'Secret', namespace: 'watchkeeper-system', name: 'anything' },
    });
    expect(JSON.stringify(secret.content)).toMatch(/forbidden/i);
  });
});
