import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { InfraError } from '../../core/domain/errors.ts';
import type { Bus, BusMessage, StartFrom, SubscribeOptions } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { streams } from '../../core/ports/subjects.ts';
import { assertPublishable, filterWithin, subjectMatches } from './subject-match.ts';

export class BusUnavailableError extends InfraError {
  readonly code = 'bus_unavailable';
}

export interface NatsBusOptions {
  readonly url: string;
  readonly token?: string;
  /** A `.creds` file's text (user JWT + seed), for a server in operator mode (deploy/nats/README.md). */
  readonly creds?: string;
  readonly name?: string;
  readonly logger?: Logger;
}

const week = 7 * 24 * 3600 * 1e9;

/** NATS (JetStream for the durable streams in `subjects.ts`, core NATS for everything else). */
export async function openNatsBus(options: NatsBusOptions): Promise<Bus> {
  const where = redactNatsUrl(options.url);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url,
      name: options.name ?? 'watchkeeper',
      timeout: 3_000,
      maxReconnectAttempts: -1,
      ...(options.token !== undefined && { token: options.token }),
      ...(options.creds !== undefined && {
        authenticator: credsAuthenticator(new TextEncoder().encode(options.creds)),
      }),
    });
  } catch (error) {
    throw new BusUnavailableError(`cannot connect to NATS at ${where}: ${(error as Error).message}`, {
      cause: error,
      retryable: true,
    });
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    for (const stream of streams) await ensureStream(jsm, stream.name, [...stream.subjects]);
  } catch (error) {
    await nc.close();
    throw new BusUnavailableError(
      `NATS at ${where}: JetStream is not usable (is the server started with -js?): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const js = jetstream(nc);
  // Draining needs the server: while the client is reconnecting, close() instead, or stopping hangs on it.
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })();
  const streamFor = (filter: string) => streams.find((s) => s.subjects.some((p) => filterWithin(filter, p)));

  return {
    async publish(subject, data, publishOptions = {}) {
      assertPublishable(subject);
      const payload = JSON.stringify(data ?? null);
      if (!streams.some((s) => s.subjects.some((p) => subjectMatches(p, subject)))) {
        nc.publish(subject, payload);
        return { seq: 0, duplicate: false };
      }
      const ack = await js.publish(subject, payload, {
        ...(publishOptions.msgId !== undefined && { msgID: publishOptions.msgId }),
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    },

    subscribe(filter, subscribeOptions) {
      const stream = streamFor(filter);
      return stream
        ? consumeStream(stream.name, filter, subscribeOptions)
        : followCore(filter, subscribeOptions.signal);
    },

    async close() {
      if (nc.isClosed()) return;
      if (connected) await nc.drain();
      else await nc.close();
    },
  };

  async function* consumeStream(
    stream: string,
    filter: string,
    options: SubscribeOptions,
  ): AsyncGenerator<BusMessage> {
    const start = deliverFrom(options.from);
    let messages: ConsumerMessages;
    if (options.durable === undefined) {
      const consumer = await js.consumers.get(stream, { filter_subjects: filter, ...start });
      messages = await consumer.consume();
    } else {
      const exists = await jsm.consumers.info(stream, options.durable).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await jsm.consumers.add(stream, {
          durable_name: options.durable,
          ack_policy: AckPolicy.Explicit,
          filter_subject: filter,
          ...start,
        });
      }
      // One message in flight: whatever was handed out but not acknowledged is redelivered at once on resume.
      messages = await (await js.consumers.get(stream, options.durable)).consume({ max_messages: 1 });
    }
    const stop = () => {
      messages.stop();
    };
    options.signal.addEventListener('abort', stop, { once: true });
    let unacked: JsMsg | undefined;
    try {
      if (options.signal.aborted) return;
      for await (const message of messages) {
        unacked = message;
        yield {
          subject: message.subject,
          data: message.json(),
          seq: message.seq,
          ...(message.headers?.get('Nats-Msg-Id') ? { msgId: message.headers.get('Nats-Msg-Id') } : {}),
        };
        if (options.durable !== undefined) message.ack();
        unacked = undefined;
      }
    } finally {
      options.signal.removeEventListener('abort', stop);
      if (options.durable !== undefined) unacked?.nak();
      await messages.close().catch(() => undefined);
    }
  }

  async function* followCore(filter: string, signal: AbortSignal): AsyncGenerator<BusMessage> {
    const subscription = nc.subscribe(filter);
    const stop = () => subscription.unsubscribe();
    signal.addEventListener('abort', stop, { once: true });
    try {
      if (signal.aborted) return;
      for await (const message of subscription)
        yield { subject: message.subject, data: message.json(), seq: 0 };
    } finally {
      signal.removeEventListener('abort', stop);
      subscription.unsubscribe();
    }
  }
}

function deliverFrom(from: StartFrom): { deliver_policy: DeliverPolicy; opt_start_seq?: number } {
  if (from === 'all') return { deliver_policy: DeliverPolicy.All };
  if (from === 'new') return { deliver_policy: DeliverPolicy.New };
  return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.afterSeq + 1 };
}

async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[]): Promise<void> {
  const config = { subjects, max_age: week, max_msgs_per_subject: 100_000, duplicate_window: 2 * 60 * 1e9 };
  const exists = await jsm.streams.info(name).then(
    () => true,
    () => false,
  );
  if (exists) await jsm.streams.update(name, config);
  else await jsm.streams.add({ name, ...config });
}

export function redactNatsUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
