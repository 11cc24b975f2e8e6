/**
 * A second nats-server, in operator mode (decentralized JWT auth) with JetStream, configured exactly as
 * deploy/nats/README.md tells users (from `generateNatsOperatorSetup`): for the tests of per-run credentials.
 * Each test file starts its own on a free loopback port and stops it; the shared `nats` service is untouched.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import {
  generateNatsOperatorSetup,
  natsServerConfig,
  type NatsOperatorSetup,
} from '../../../runners/bus/nats-operator-setup.ts';
import { freePort, waitUntil } from '../process.ts';
import { natsBinary } from './nats.ts';

export interface OperatorNats {
  readonly url: string;
  readonly setup: NatsOperatorSetup;
  /** A connection as Watchkeeper's own user (everything in the account). */
  connectAsWatchkeeper(): Promise<NatsConnection>;
  connectWithCreds(creds: string): Promise<NatsConnection>;
  readonly logFile: string;
  stop(): Promise<void>;
}

export async function startOperatorNats(): Promise<OperatorNats> {
  const dir = await mkdtemp(join(tmpdir(), 'wk-nats-operator-'));
  const setup = await generateNatsOperatorSetup();
  const port = await freePort();
  const configFile = join(dir, 'server.conf');
  await writeFile(
    configFile,
    natsServerConfig(setup, { host: '127.0.0.1', port, storeDir: join(dir, 'jetstream') }),
  );
  const logFile = join(dir, 'nats.log');
  const out = openSync(logFile, 'a');
  const child = spawn(natsBinary(), ['-c', configFile], { stdio: ['ignore', out, out] });
  closeSync(out);
  const url = `nats://127.0.0.1:${port}`;
  const connectWithCreds = (creds: string) =>
    connect({
      servers: url,
      timeout: 3_000,
      reconnect: false,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      'nats-server (operator mode)',
      async () => {
        await (await connectWithCreds(setup.watchkeeperCreds)).close();
        return true;
      },
      { timeoutMs: 20_000, logFile, ...(child.pid !== undefined && { pid: child.pid }) },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    setup,
    connectAsWatchkeeper: () => connectWithCreds(setup.watchkeeperCreds),
    connectWithCreds,
    logFile,
    stop,
  };
}
