import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { streams } from '../../core/ports/subjects.ts';
import { BusUnavailableError, openNatsBus } from '../../runners/bus/nats-bus.ts';
import { harness } from '../harness/use.ts';
import { busContract, durablesCreated } from './bus-contract.ts';

busContract('NATS JetStream', () => openNatsBus({ url: harness('nats').url, name: 'watchkeeper-test' }));

// The harness's nats-server outlives the run: durable consumers this file made would pile up run after run.
afterAll(async () => {
  const nc = await connect({ servers: harness('nats').url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const durable of durablesCreated.splice(0)) {
      for (const stream of streams) await jsm.consumers.delete(stream.name, durable).catch(() => false);
    }
  } finally {
    await nc.close();
  }
});

describe('NATS bus start-up', () => {
  it('names the unreachable server in one line, credentials redacted, within seconds', async () => {
    const started = Date.now();
    const opening = openNatsBus({ url: 'nats://wk:s3cret@127.0.0.1:1' });
    await expect(opening).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(opening).rejects.toThrow(/^cannot connect to NATS at nats:\/\/\*\*\*@127\.0\.0\.1:1: /);
    await expect(opening).rejects.not.toThrow(/s3cret/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
