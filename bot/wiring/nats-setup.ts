/** Writes a generated NATS operator-mode setup (runners/bus/nats-operator-setup.ts) into a folder, keys 0600. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateNatsOperatorSetup, natsServerConfig } from '../../runners/bus/nats-operator-setup.ts';

export async function writeNatsSetup(dir: string): Promise<{ readonly account: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const setup = await generateNatsOperatorSetup();
  const secret = { mode: 0o600 } as const;
  await writeFile(join(dir, 'nats-server.conf'), natsServerConfig(setup, { storeDir: '/data/jetstream' }));
  await writeFile(join(dir, 'watchkeeper.creds'), setup.watchkeeperCreds, secret);
  await writeFile(join(dir, 'account-signing-key.nk'), `${setup.accountSigningSeed}\n`, secret);
  await writeFile(join(dir, 'operator.nk'), `${setup.operatorSeed}\n`, secret);
  await writeFile(join(dir, 'account.nk'), `${setup.accountSeed}\n`, secret);
  return { account: setup.account.publicKey };
}
