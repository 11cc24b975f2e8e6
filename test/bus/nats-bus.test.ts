import { describe, expect, it } from 'vitest';
import { BusUnavailableError, openNatsBus } from '../../runners/bus/nats-bus.ts';
import { harness } from '../harness/use.ts';
import { busContract } from './bus-contract.ts';

busContract('NATS JetStream', () => openNatsBus({ url: harness('nats').url, name: 'watchkeeper-test' }));

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
