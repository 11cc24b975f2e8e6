/** Bad configuration: one line naming the setting, a non-zero exit, and nothing written. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness } from '../harness/use.ts';
import { startSlackApiEmulator } from '../harness/slack/slack-api-emulator.ts';
import { runCli } from './run-cli.ts';

describe('watchkeeper with bad configuration', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-badconfig-'));
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  async function startWith(yaml: string | undefined, env: Record<string, string> = {}) {
    if (yaml !== undefined) await writeFile(join(cwd, 'watchkeeper.yaml'), yaml);
    const result = await runCli(yaml === undefined ? ['start'] : ['--config', 'watchkeeper.yaml', 'start'], {
      cwd,
      env,
    });
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(await readdir(cwd)).toEqual(yaml === undefined ? [] : ['watchkeeper.yaml']);
    return { code: result.code, line: lines[0] ?? '' };
  }

  it.each([
    [
      'an unknown key',
      'server:\n  prot: 8080\n',
      /^watchkeeper: configuration error: server\.prot: unknown setting/,
    ],
    [
      'a wrong type',
      'server:\n  port: eighty\n',
      /^watchkeeper: configuration error: server\.port: .*expected number/,
    ],
    [
      'an out-of-range value',
      'reports:\n  linkTtlSeconds: 5\n',
      /^watchkeeper: configuration error: reports\.linkTtlSeconds: /,
    ],
    [
      'broken YAML',
      'server: [\n',
      /^watchkeeper: configuration error: .*watchkeeper\.yaml: not valid YAML at line \d+/,
    ],
    [
      'an MCP server with both a url and a command',
      'mcp:\n  servers:\n    - { name: a, url: "http://x/mcp", command: node }\n',
      /^watchkeeper: configuration error: mcp\.servers: each server needs either url \(Streamable HTTP\) or command \(stdio\)/,
    ],
    [
      'a Job-runner profile without an image',
      'agents:\n  profiles:\n    claude: { command: claude, runner: kubernetes-job }\n',
      /^watchkeeper: configuration error: agents\.profiles\.claude\.image: required when runner is kubernetes-job/,
    ],
    [
      'a custom profile without a command',
      'agents:\n  profiles:\n    mine: { args: [x] }\n',
      /^watchkeeper: configuration error: agents\.profiles\.mine\.command: required for a custom agent profile/,
    ],
    [
      'an unknown agent kind',
      'agents:\n  profiles:\n    c: { kind: cursor }\n',
      /^watchkeeper: configuration error: agents\.profiles\.c\.kind: .*claude-code/,
    ],
    [
      'an API key variable that is not set',
      'agents:\n  profiles:\n    claude: { kind: claude-code, apiKeyEnv: WK_NO_SUCH_KEY }\n',
      /^watchkeeper: configuration error: agents\.profiles\.claude\.apiKeyEnv: the environment variable WK_NO_SUCH_KEY is not set/,
    ],
    [
      'a base URL that is not http(s)',
      'agents:\n  profiles:\n    claude: { kind: claude-code, baseUrl: "ftp://gw" }\n',
      /^watchkeeper: configuration error: agents\.profiles\.claude\.baseUrl: /,
    ],
    [
      'two profiles and no default',
      'agents:\n  profiles:\n    a: { command: a }\n    b: { command: b }\n',
      /^watchkeeper: configuration error: agents\.default: several profiles \(a, b\)/,
    ],
    [
      'a Job-runner profile without cluster access',
      'watcher: { enabled: false }\nagents:\n  profiles:\n    claude: { command: claude, runner: kubernetes-job, image: x }\n',
      /^watchkeeper: configuration error: agents\.profiles\.claude\.runner: kubernetes-job needs cluster access/,
    ],
    [
      'a zero run cap',
      'incidents:\n  caps:\n    maxConcurrentRuns: 0\n',
      /^watchkeeper: configuration error: incidents\.caps\.maxConcurrentRuns: Too small/,
    ],
    [
      'an unknown fault class in a severity rule',
      'incidents:\n  severityRules:\n    - { match: { class: Crashing }, severity: high }\n',
      /^watchkeeper: configuration error: incidents\.severityRules\.0\.match\.class: /,
    ],
    [
      'nats without a URL',
      'bus:\n  kind: nats\n',
      /^watchkeeper: configuration error: bus\.nats\.url: required when bus\.kind is nats/,
    ],
  ])('rejects %s', async (_what, yaml, expected) => {
    const { code, line } = await startWith(yaml);
    expect(code).toBe(2);
    expect(line).toMatch(expected);
  });

  const slackBot = { WATCHKEEPER_SLACK_BOT_TOKEN: 'xoxb-1-2-abc' };
  it.each([
    [
      'Socket Mode without an app token',
      'slack: { defaultChannel: C0ABC }\n',
      slackBot,
      /^watchkeeper: configuration error: WATCHKEEPER_SLACK_APP_TOKEN: Socket Mode needs an app-level token \(xapp-…/,
    ],
    [
      'HTTP mode without the signing secret',
      'slack: { mode: http, defaultChannel: C0ABC }\n',
      slackBot,
      /^watchkeeper: configuration error: WATCHKEEPER_SLACK_SIGNING_SECRET: HTTP mode needs the app's signing secret/,
    ],
    [
      'a user token instead of a bot token',
      'slack: { mode: http, defaultChannel: C0ABC }\n',
      { WATCHKEEPER_SLACK_BOT_TOKEN: 'xoxp-1-2', WATCHKEEPER_SLACK_SIGNING_SECRET: 's' },
      /^watchkeeper: configuration error: WATCHKEEPER_SLACK_BOT_TOKEN: must be a bot token \(xoxb-…\)/,
    ],
    [
      'no default channel',
      'slack: { mode: http }\n',
      { ...slackBot, WATCHKEEPER_SLACK_SIGNING_SECRET: 's' },
      /^watchkeeper: configuration error: slack\.defaultChannel: set the channel id/,
    ],
    [
      'a channel name where an id belongs',
      'slack: { mode: http, defaultChannel: C0ABC, routes: [{ channel: "#incidents" }] }\n',
      { ...slackBot, WATCHKEEPER_SLACK_SIGNING_SECRET: 's' },
      /^watchkeeper: configuration error: slack\.routes\.0\.channel: a Slack channel id such as C0123ABCD/,
    ],
    [
      'an unknown action in slack.access',
      'slack: { mode: http, defaultChannel: C0ABC, access: { approve: ["*"] } }\n',
      { ...slackBot, WATCHKEEPER_SLACK_SIGNING_SECRET: 's' },
      /^watchkeeper: configuration error: slack\.access\.approve: unknown setting/,
    ],
  ])('rejects %s', async (_what, yaml, env, expected) => {
    const { code, line } = await startWith(yaml, env);
    expect(code).toBe(2);
    expect(line).toMatch(expected);
  });

  it('names a bot token Slack refuses, before writing any state', async () => {
    const slack = await startSlackApiEmulator('xoxb-the-real-one');
    try {
      const { code, line } = await startWith(
        `slack: { mode: http, defaultChannel: C0ABC, apiUrl: "${slack.apiUrl}" }\n`,
        { WATCHKEEPER_SLACK_BOT_TOKEN: 'xoxb-revoked', WATCHKEEPER_SLACK_SIGNING_SECRET: 's' },
      );
      expect(code).toBe(2);
      expect(line).toMatch(
        /^watchkeeper: configuration error: WATCHKEEPER_SLACK_BOT_TOKEN: Slack refused the bot token \(invalid_auth\)/,
      );
      expect(line).not.toContain('xoxb-revoked');
    } finally {
      await slack.close();
    }
  });

  it('names a missing config file', async () => {
    const result = await runCli(['--config', 'nope.yaml', 'config', 'check'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^watchkeeper: configuration error: --config: cannot read .*nope\.yaml \(ENOENT\)/,
    );
  });

  it('names an unreachable PostgreSQL without printing its password', async () => {
    const { code, line } = await startWith(undefined, {
      WATCHKEEPER_DATABASE_URL: 'postgres://wk:hunter2@127.0.0.1:1/wk',
    });
    expect(code).toBe(2);
    expect(line).toMatch(
      /^watchkeeper: configuration error: WATCHKEEPER_DATABASE_URL: cannot connect to PostgreSQL at postgres:\/\/wk:\*\*\*@127\.0\.0\.1:1\/wk/,
    );
    expect(line).not.toContain('hunter2');
  });

  it('names an unreachable NATS server', async () => {
    const { code, line } = await startWith('bus:\n  kind: nats\n  nats:\n    url: nats://127.0.0.1:1\n');
    expect(code).toBe(2);
    expect(line).toMatch(
      /^watchkeeper: configuration error: bus\.nats\.url: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/,
    );
  });

  it('names an unreachable S3 endpoint and a bucket it cannot use', async () => {
    const unreachable = await startWith(
      'reports:\n  kind: s3\n  s3:\n    bucket: reports\n    endpoint: http://127.0.0.1:1\n    forcePathStyle: true\n',
      { WATCHKEEPER_S3_ACCESS_KEY_ID: 'a', WATCHKEEPER_S3_SECRET_ACCESS_KEY: 'b' },
    );
    expect(unreachable.code).toBe(2);
    expect(unreachable.line).toMatch(
      /^watchkeeper: configuration error: reports\.s3: S3 bucket reports at http:\/\/127\.0\.0\.1:1: cannot connect/,
    );

    const s3 = harness('s3');
    const denied = await startWith(
      `reports:\n  kind: s3\n  s3:\n    bucket: ${s3.bucket}\n    endpoint: ${s3.endpoint}\n    forcePathStyle: true\n`,
      { WATCHKEEPER_S3_ACCESS_KEY_ID: s3.accessKeyId, WATCHKEEPER_S3_SECRET_ACCESS_KEY: 'wrong-secret' },
    );
    expect(denied.line).toMatch(/reports\.s3: .*access denied/);
    expect(denied.line).not.toContain('wrong-secret');
  });

  it('names the port when it is already taken, before writing any state', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { code, line } = await startWith(`server:\n  port: ${port}\n`);
      expect(code).toBe(2);
      expect(line).toMatch(new RegExp(`server\\.port: 127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      blocker.close();
    }
  });
});
