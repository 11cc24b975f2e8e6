import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.ts';

/** `watchkeeper config print` as an operator runs it to paste into a ticket: no secret may be in it. */
describe('watchkeeper config print', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-config-print-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  const secrets = {
    WATCHKEEPER_DATABASE_URL: 'postgres://wk:db-Pa55word-1@db:5432/wk',
    WATCHKEEPER_NATS_URL: 'nats://wk:nats-Pa55word-2@nats:4222',
    WATCHKEEPER_NATS_TOKEN: 'nats-token-value-3',
    WATCHKEEPER_S3_ACCESS_KEY_ID: 'AKIAQ2W3E4R5T6Y7U6I5',
    WATCHKEEPER_S3_SECRET_ACCESS_KEY: 's3-secret-access-key-value-4',
    WATCHKEEPER_WEBHOOK_TOKEN: 'webhook-token-value-5',
    WATCHKEEPER_LINK_SIGNING_KEY: 'link-signing-key-value-6',
    WK_TEST_ANTHROPIC_KEY: 'sk-ant-api03-agent-api-key-value-7',
    WK_TEST_OPENAI_KEY: 'openai-api-key-value-8',
    WK_TEST_GITHUB_TOKEN: 'github-token-value-9',
    WK_TEST_DD_API_KEY: 'datadog-api-key-value-10',
    WK_TEST_MCP_TOKEN: 'mcp-server-token-value-11',
  };

  it('shows no API key, secretEnv value, token, password or signing key', async () => {
    await writeFile(
      join(cwd, 'wk.yaml'),
      [
        'cluster: prod-eu',
        'bus:',
        '  kind: nats',
        'reports:',
        '  kind: s3',
        '  s3:',
        '    bucket: wk-reports',
        '    endpoint: http://127.0.0.1:1',
        'mcp:',
        '  servers:',
        '    - name: events',
        '      url: http://127.0.0.1:2/mcp',
        '      tokenEnv: WK_TEST_MCP_TOKEN',
        'agents:',
        '  default: claude',
        '  profiles:',
        '    claude:',
        '      kind: claude-code',
        '      apiKeyEnv: WK_TEST_ANTHROPIC_KEY',
        '      secretEnv: [WK_TEST_GITHUB_TOKEN, WK_TEST_DD_API_KEY]',
        '      env:',
        '        LOG_LEVEL: debug',
        '        VENDOR_ACCESS_TOKEN: plain-file-token-value-12',
        '    codex:',
        '      kind: codex',
        '      apiKeyEnv: WK_TEST_OPENAI_KEY',
        '      args: ["--header", "Authorization: Bearer arg-bearer-value-13"]',
        '',
      ].join('\n'),
    );
    const result = await runCli(['--config', 'wk.yaml', 'config', 'print'], { cwd, env: secrets });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = result.stdout;
    // The configuration is all there, names of variables included: only values are hidden.
    expect(printed).toMatch(/cluster: prod-eu/);
    expect(printed).toMatch(/WK_TEST_GITHUB_TOKEN: "\[redacted\]"/);
    expect(printed).toMatch(/apiKey: "\[redacted\]"/);
    expect(printed).toMatch(/LOG_LEVEL: debug/);
    for (const value of Object.values(secrets)) expect(printed).not.toContain(value);
    for (const fragment of ['Pa55word', 'plain-file-token-value-12', 'arg-bearer-value-13', 'api-key-value'])
      expect(printed).not.toContain(fragment);
  }, 120_000);
});
