/** A real nats-server with JetStream, from the Debian package (`apt-get install nats-server`). */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, log, reuseOrStart, serviceDir, spawnDetached, waitUntil } from '../process.ts';

export interface NatsInfo {
  readonly url: string;
}

export function natsBinary(): string {
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

/** Durable consumers older than this were left by earlier test runs (no test runs this long). */
const staleConsumerMs = 6 * 3600_000;

/**
 * The server outlives test runs, and every run's durable consumers (Slack's, the bus contract's) stay on it:
 * those made long ago with nobody pulling are removed, so they do not pile up run after run.
 */
export async function pruneStaleConsumers(info: NatsInfo, olderThanMs = staleConsumerMs): Promise<void> {
  const nc = await connect({ servers: info.url, timeout: 5_000, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for await (const stream of jsm.streams.list()) {
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        const stale = consumer.config.durable_name !== undefined && Date.parse(consumer.created) < cutoff;
        if (
          stale &&
          consumer.num_waiting === 0 &&
          (await jsm.consumers.delete(stream.config.name, consumer.name))
        )
          removed += 1;
      }
    }
    if (removed > 0)
      log(
        `nats: removed ${removed} durable consumers left by runs over ${Math.round(olderThanMs / 60_000)} min ago`,
      );
  } finally {
    await nc.close();
  }
}

export async function ensureNats(): Promise<NatsInfo> {
  const info = await startNats();
  await pruneStaleConsumers(info);
  return info;
}

async function startNats(): Promise<NatsInfo> {
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
