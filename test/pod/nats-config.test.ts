/**
 * The bus settings for NATS in operator mode, from what `watchkeeper nats-setup` writes: the configuration it
 * prints loads, its keys mint a working per-run credential, and each wrong setting is refused naming the field.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load-config.ts';
import { natsSetup } from '../../bot/cli/nats-setup-command.ts';
import { createRunCredentialMinter } from '../../runners/bus/run-credentials.ts';

let dir: string;
let account: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wk-nats-config-'));
  const printed = await natsSetup(join(dir, 'nats'));
  account = /account: (A[A-Z2-7]{55})/.exec(printed)?.[1] ?? '';
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(yaml: string, env: Record<string, string> = {}) {
  const file = join(dir, 'watchkeeper.yaml');
  await writeFile(file, yaml);
  return loadConfig({ file, env, cwd: dir });
}

const natsYaml = (runCredentials: string, credsFile = 'nats/watchkeeper.creds') => `bus:
  kind: nats
  nats:
    url: nats://127.0.0.1:4222
    credsFile: ${join(dir, credsFile)}
${runCredentials}`;

describe('bus.nats settings for operator mode', () => {
  it('loads what nats-setup wrote, and its signing key mints run credentials', async () => {
    const config = await load(
      natsYaml(`    runCredentials:
      account: ${account}
      signingKeyFile: ${join(dir, 'nats/account-signing-key.nk')}
`),
    );
    if (config.bus.kind !== 'nats' || !config.bus.runCredentials) throw new Error('no run credentials');
    expect(config.bus.creds?.reveal()).toBe(
      await readFile(join(dir, 'nats/watchkeeper.creds'), 'utf8').then((t) => t.trim()),
    );
    expect(config.bus.runCredentials).toMatchObject({
      account,
      expiryMarginMs: 300_000,
      podServers: ['nats://127.0.0.1:4222'],
    });
    // Never printed: the key is a Secret.
    const seed = (await readFile(join(dir, 'nats/account-signing-key.nk'), 'utf8')).trim();
    expect(config.bus.runCredentials.signingKey.reveal()).toBe(seed);
    expect(JSON.stringify(config.bus)).not.toContain(seed);
    const creds = await createRunCredentialMinter(config.bus.runCredentials)({
      runId: 'r1',
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(creds).toContain('BEGIN NATS USER JWT');
  });

  it('names the field when the signing key is missing, unreadable or not an account seed', async () => {
    const withKey = (line: string) =>
      natsYaml(`    runCredentials:
      account: ${account}
${line}`);
    await expect(load(withKey(''))).rejects.toThrow(/bus\.nats\.runCredentials\.signingKeyFile: required/);
    await expect(load(withKey(`      signingKeyFile: ${join(dir, 'missing.nk')}\n`))).rejects.toThrow(
      /bus\.nats\.runCredentials\.signingKeyFile: cannot read/,
    );
    await expect(load(withKey(`      signingKeyFile: ${join(dir, 'nats/operator.nk')}\n`))).rejects.toThrow(
      /bus\.nats\.runCredentials\.signingKeyFile: not an account signing key seed/,
    );
    await expect(load(withKey(''), { WATCHKEEPER_NATS_ACCOUNT_SIGNING_KEY: 'SUnotakey' })).rejects.toThrow(
      /WATCHKEEPER_NATS_ACCOUNT_SIGNING_KEY: not an account signing key seed/,
    );
  });

  it('refuses an account that is not an account public key, and a creds file that is not one', async () => {
    await expect(load(natsYaml(`    runCredentials:\n      account: UABC\n`))).rejects.toThrow(
      /bus\.nats\.runCredentials\.account: an account public key/,
    );
    await expect(load(natsYaml('', 'nats/account.nk'))).rejects.toThrow(
      /bus\.nats\.credsFile: not a NATS \.creds file/,
    );
  });
});
