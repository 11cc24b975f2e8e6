/** A real nats-server with JetStream, from the Debian package (`apt-get install nats-server`). */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { freePort, reuseOrStart, serviceDir, spawnDetached, waitUntil } from '../process.ts';

export interface NatsInfo {
  readonly url: string;
}

function natsBinary(): string {
  const found = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) =>
    existsSync(p),
  );
  if (!found) throw new Error('harness: nats-server is not installed; run: apt-get install -y nats-server');
  return found;
}

async function probe(info: NatsInfo): Promise<boolean> {
  const nc = await connect({ servers: info.url, timeout: 2_000, reconnect: false });
  await nc.close();
  return true;
}

export async function ensureNats(): Promise<NatsInfo> {
  return reuseOrStart<NatsInfo>('nats', probe, async () => {
    const dir = serviceDir('nats');
    await mkdir(join(dir, 'jetstream'), { recursive: true });
    const port = await freePort();
    const logFile = join(dir, 'nats.log');
    const pid = spawnDetached(
      natsBinary(),
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'jetstream')],
      {
        logFile,
      },
    );
    const info = { url: `nats://127.0.0.1:${port}` };
    await waitUntil('nats-server', () => probe(info), { timeoutMs: 20_000, logFile, pid });
    return { info, pids: [pid] };
  });
}
