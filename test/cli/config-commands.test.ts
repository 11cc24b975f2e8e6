import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationCount } from '../store/migration-count.ts';
import { createTestDatabase } from '../store/postgres-database.ts';
import { runCli } from './run-cli.ts';

describe('watchkeeper config, migrate and version', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'wk-cli-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('prints the effective configuration with every secret redacted', async () => {
    await writeFile(join(cwd, 'wk.yaml'), 'cluster: prod-eu\nbus:\n  kind: nats\n');
    const env = {
      WATCHKEEPER_DATABASE_URL: 'postgres://wk:db-password@db:5432/wk',
      WATCHKEEPER_NATS_URL: 'nats://wk:nats-password@nats:4222',
      WATCHKEEPER_LINK_SIGNING_KEY: 'link-key-value',
    };
    const result = await runCli(['--config', 'wk.yaml', 'config', 'print'], { cwd, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cluster: prod-eu/);
    expect(result.stdout).toMatch(/url: "\[redacted\]"/);
    for (const secret of Object.values(env)) expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toMatch(/password|link-key-value/);
  });

  it('checks a valid configuration', async () => {
    const result = await runCli(['config', 'check'], { cwd });
    expect(result).toMatchObject({
      code: 0,
      stdout: 'configuration OK (embedded defaults (no config file))\n',
    });
  });

  it('migrates a real PostgreSQL database once', async () => {
    const database = await createTestDatabase();
    try {
      const env = { WATCHKEEPER_DATABASE_URL: database.url };
      const first = await runCli(['migrate'], { cwd, env });
      expect(first.stdout).toMatch(new RegExp(`${migrationCount()} migration\\(s\\) applied`));
      const second = await runCli(['migrate'], { cwd, env });
      expect(second.stdout).toMatch(/0 migration\(s\) applied; schema is current/);
    } finally {
      await database.drop();
    }
  });

  it('prints the version and help', async () => {
    expect((await runCli(['version'], { cwd })).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:[\s\S]*start[\s\S]*migrate[\s\S]*config/);
    expect((await runCli(['config', '--help'], { cwd })).stdout).toMatch(/check[\s\S]*print/);
  });

  it('rejects an unknown command with a non-zero exit', async () => {
    const result = await runCli(['launch'], { cwd });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'launch'/);
  });
});
