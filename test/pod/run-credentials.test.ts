/**
 * A run's NATS credential against a REAL nats-server in operator mode (JWT auth, JetStream): it publishes on its
 * own run's subject (and the event lands in WATCHKEEPER_PROGRESS), and nothing else: not another run's subject,
 * not the JetStream API, no subscription, and not after it expired.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../core/domain/secret.ts';
import type { Bus } from '../../core/ports/bus.ts';
import { subjects } from '../../core/ports/subjects.ts';
import { openNatsBus } from '../../runners/bus/nats-bus.ts';
import {
  createRunCredentialMinter,
  RunCredentialConfigError,
  type MintRunNatsCredentials,
} from '../../runners/bus/run-credentials.ts';
import { startOperatorNats, type OperatorNats } from '../harness/services/nats-operator.ts';
import { until } from '../fixtures/until.ts';

let nats: OperatorNats;
let bus: Bus;
let mint: MintRunNatsCredentials;
const opened: NatsConnection[] = [];

/** Server errors the connection reported (permission violations arrive asynchronously). */
function errorsOf(nc: NatsConnection): string[] {
  const seen: string[] = [];
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'error') seen.push(status.error.message);
  })();
  return seen;
}

async function asRun(runId: string, expiresAt = new Date(Date.now() + 60_000)) {
  const nc = await nats.connectWithCreds(await mint({ runId, expiresAt }));
  opened.push(nc);
  return { nc, errors: errorsOf(nc) };
}

async function storedCount(): Promise<number> {
  const watchkeeper = await nats.connectAsWatchkeeper();
  try {
    const jsm = await jetstreamManager(watchkeeper);
    return (await jsm.streams.info('WATCHKEEPER_PROGRESS')).state.messages;
  } finally {
    await watchkeeper.close();
  }
}

beforeAll(async () => {
  nats = await startOperatorNats();
  // Watchkeeper's own bus, as its own user: creates the streams (WATCHKEEPER_PROGRESS) as in production.
  bus = await openNatsBus({ url: nats.url, creds: nats.setup.watchkeeperCreds });
  mint = createRunCredentialMinter({
    account: nats.setup.account.publicKey,
    signingKey: new Secret(nats.setup.accountSigningSeed),
    expiryMarginMs: 0,
  });
}, 60_000);

afterAll(async () => {
  for (const nc of opened) await nc.close().catch(() => undefined);
  await bus.close();
  await nats.stop();
});

describe('a run credential on a nats-server in operator mode', () => {
  it("publishes on its own run's progress subject, and the event lands in JetStream", async () => {
    const { nc, errors } = await asRun('run-own');
    const got: unknown[] = [];
    const stop = new AbortController();
    const reading = (async () => {
      for await (const message of bus.subscribe(subjects.runProgress('run-own'), {
        from: 'all',
        signal: stop.signal,
      }))
        got.push({ data: message.data, msgId: message.msgId });
    })();
    const h = headers();
    h.set('Nats-Msg-Id', 'run-own:1');
    nc.publish(subjects.runProgress('run-own'), JSON.stringify({ runId: 'run-own', seq: 1 }), { headers: h });
    // The same message again (a retried publish): JetStream keeps one.
    nc.publish(subjects.runProgress('run-own'), JSON.stringify({ runId: 'run-own', seq: 1 }), { headers: h });
    await nc.flush();
    await until('the event is read back from JetStream', () => got.length >= 1, 10_000);
    await sleep(300);
    stop.abort();
    await reading.catch(() => undefined);
    expect(got).toEqual([{ data: { runId: 'run-own', seq: 1 }, msgId: 'run-own:1' }]);
    expect(errors).toEqual([]);
  });

  it("is refused on another run's subject, and nothing of it is stored", async () => {
    const before = await storedCount();
    const { nc, errors } = await asRun('run-a');
    nc.publish(subjects.runProgress('run-b'), JSON.stringify({ runId: 'run-b', seq: 1, forged: true }));
    nc.publish('watchkeeper.incident.i1.lifecycle', '{"forged":true}');
    await nc.flush();
    await until('the server refuses the publish', () => errors.length >= 2, 10_000);
    expect(errors.join('\n')).toMatch(
      /Permissions Violation for Publish to "watchkeeper\.run\.run-b\.progress"/,
    );
    expect(errors.join('\n')).toMatch(/Permissions Violation for Publish to "watchkeeper\.incident/);
    expect(await storedCount()).toBe(before);
  });

  it('cannot use the JetStream API (no deleting or reading the progress stream)', async () => {
    const { nc, errors } = await asRun('run-js');
    nc.publish('$JS.API.STREAM.DELETE.WATCHKEEPER_PROGRESS', '');
    await nc.flush();
    await until('the server refuses the API call', () => errors.length >= 1, 10_000);
    expect(errors[0]).toMatch(/Permissions Violation for Publish to "\$JS\.API\.STREAM\.DELETE/);
    expect(await storedCount()).toBeGreaterThanOrEqual(1);
  });

  it("cannot subscribe, not even to its own run's subjects", async () => {
    const { nc, errors } = await asRun('run-sub');
    const received: string[] = [];
    const refused: string[] = [];
    // The callback hears the refusal as an error, with no message.
    const callback = (error: Error | null, message: { subject: string }) => {
      if (error) refused.push(error.message);
      else received.push(message.subject);
    };
    nc.subscribe(subjects.runAny('run-sub'), { callback });
    nc.subscribe('>', { callback });
    await nc.flush();
    await until('the server refuses the subscriptions', () => errors.length >= 2, 10_000);
    expect(errors.join('\n')).toMatch(
      /Permissions Violation for Subscription to "watchkeeper\.run\.run-sub\.>"/,
    );
    await bus.publish(subjects.runControl('run-sub'), { cancel: true });
    await sleep(300);
    expect(received).toEqual([]);
    expect(refused.join('\n')).toMatch(/Permissions Violation for Subscription/);
  });

  it('is refused once it has expired', async () => {
    const expiresAt = new Date(Date.now() + 2_000);
    const creds = await mint({ runId: 'run-expiring', expiresAt });
    const nc = await nats.connectWithCreds(creds);
    opened.push(nc);
    await nc.flush();
    const closed = nc.closed();
    // The server disconnects the user at its expiry, and a new connection with it is refused.
    await expect(
      Promise.race([closed.then(() => 'closed'), sleep(6_000).then(() => 'still open')]),
    ).resolves.toBe('closed');
    // The JWT's expiry has a resolution of one second, and a loaded server may let one last connection in
    // around it: within seconds of the expiry a new connection is refused.
    const refused = () =>
      nats.connectWithCreds(creds).then(
        async (late) => {
          await late.close();
          return false;
        },
        (error: unknown) => /Authorization Violation|expired/i.test(String(error)),
      );
    await until('a new connection with the expired credential is refused', refused, 8_000, 500);
  }, 15_000);

  it('will not mint with a key that is not an account signing key, naming the field', () => {
    expect(() =>
      createRunCredentialMinter({
        account: nats.setup.account.publicKey,
        signingKey: new Secret(nats.setup.operatorSeed),
        expiryMarginMs: 0,
      }),
    ).toThrow(RunCredentialConfigError);
    expect(() =>
      createRunCredentialMinter({
        account: 'not-a-key',
        signingKey: new Secret(nats.setup.accountSigningSeed),
        expiryMarginMs: 0,
      }),
    ).toThrow(/bus\.nats\.runCredentials\.account/);
  });

  it('refuses a run id that could widen its subjects', async () => {
    await expect(mint({ runId: 'a.>', expiresAt: new Date(Date.now() + 60_000) })).rejects.toThrow(
      /not a valid subject token/,
    );
    await expect(mint({ runId: '*', expiresAt: new Date(Date.now() + 60_000) })).rejects.toThrow();
  });
});
