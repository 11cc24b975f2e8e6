/**
 * `watchkeeper nats-setup --out <dir>`: generates what a nats-server in operator mode needs for Watchkeeper
 * (deploy/nats/README.md) into a new folder, keys readable by the owner only, and prints the configuration that
 * goes with it. For setups without nsc; the seeds never go to stdout.
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeNatsSetup } from '../wiring/nats-setup.ts';
import { CliError } from './listeners-command.ts';

export async function natsSetup(outDir: string): Promise<string> {
  const dir = resolve(outDir);
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0)
    throw new CliError(
      `nats-setup: ${dir} is not empty; keys are never overwritten, name a new folder with --out`,
    );
  const setup = await writeNatsSetup(dir);
  return `Wrote ${dir}:
  nats-server.conf         the server's configuration (operator mode, JetStream in /data/jetstream)
  watchkeeper.creds        Watchkeeper's own user (a Secret: bus.nats.credsFile or WATCHKEEPER_NATS_CREDS)
  account-signing-key.nk   mints per-run credentials (a Secret: bus.nats.runCredentials.signingKeyFile)
  operator.nk, account.nk  can re-sign everything: keep them offline, not in the cluster

Configuration for Watchkeeper:
bus:
  kind: nats
  nats:
    url: nats://nats.watchkeeper.svc:4222
    credsFile: /var/run/secrets/watchkeeper-nats/watchkeeper.creds
    runCredentials:
      account: ${setup.account}
      signingKeyFile: /var/run/secrets/watchkeeper-nats/account-signing-key.nk
`;
}
