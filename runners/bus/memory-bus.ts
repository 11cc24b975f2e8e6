import type { Bus, BusMessage, PublishResult, SubscribeOptions } from '../../core/ports/bus.ts';
import { streams } from '../../core/ports/subjects.ts';
import { assertPublishable, filterWithin, subjectMatches } from './subject-match.ts';

interface MemoryStream {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly messages: BusMessage[];
  lastSeq: number;
  readonly msgIds: Map<string, number>;
}

const maxMessagesPerStream = 100_000;
const dedupeWindow = 10_000;

/**
 * The embedded default bus: the same semantics as the NATS adapter (streams, replay, durable positions, msgId
 * dedupe, JSON round-trip of payloads) inside one process. Streams are bounded; the oldest messages drop first.
 */
export function createMemoryBus(): Bus {
  const kept: MemoryStream[] = streams.map((s) => ({
    name: s.name,
    subjects: [...s.subjects],
    messages: [],
    lastSeq: 0,
    msgIds: new Map(),
  }));
  const durablePositions = new Map<string, number>();
  const waiters = new Set<() => void>();
  const live = new Set<{ filter: string; push: (message: BusMessage) => void }>();
  let closed = false;

  const streamFor = (subject: string) => kept.find((s) => s.subjects.some((p) => subjectMatches(p, subject)));
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };

  return {
    publish(subject, data, options = {}): Promise<PublishResult> {
      if (closed) return Promise.reject(new Error('the bus is closed'));
      try {
        assertPublishable(subject);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const payload: unknown = JSON.parse(JSON.stringify(data ?? null));
      const stream = streamFor(subject);
      if (!stream) {
        for (const subscriber of live) {
          if (subjectMatches(subscriber.filter, subject)) subscriber.push({ subject, data: payload, seq: 0 });
        }
        return Promise.resolve({ seq: 0, duplicate: false });
      }
      const { msgId } = options;
      const seen = msgId === undefined ? undefined : stream.msgIds.get(msgId);
      if (seen !== undefined) return Promise.resolve({ seq: seen, duplicate: true });
      const seq = ++stream.lastSeq;
      stream.messages.push({ subject, data: payload, seq, ...(msgId !== undefined && { msgId }) });
      if (stream.messages.length > maxMessagesPerStream)
        stream.messages.splice(0, stream.messages.length - maxMessagesPerStream);
      if (msgId !== undefined) {
        stream.msgIds.set(msgId, seq);
        if (stream.msgIds.size > dedupeWindow) stream.msgIds.delete(stream.msgIds.keys().next().value ?? '');
      }
      wake();
      return Promise.resolve({ seq, duplicate: false });
    },

    subscribe(filter, options) {
      const stream = kept.find((s) => s.subjects.some((p) => filterWithin(filter, p)));
      return stream ? replay(stream, filter, options) : follow(filter, options);
    },

    close() {
      closed = true;
      wake();
      return Promise.resolve();
    },
  };

  async function* replay(
    stream: MemoryStream,
    filter: string,
    options: SubscribeOptions,
  ): AsyncGenerator<BusMessage> {
    const durableKey = options.durable === undefined ? undefined : `${stream.name}/${options.durable}`;
    const from = options.from;
    let cursor =
      (durableKey === undefined ? undefined : durablePositions.get(durableKey)) ??
      (from === 'all' ? 0 : from === 'new' ? stream.lastSeq : from.afterSeq);
    while (!options.signal.aborted && !closed) {
      const next = firstMatchAfter(stream.messages, cursor, filter);
      if (!next) {
        cursor = Math.max(cursor, stream.lastSeq);
        await changed(options.signal);
        continue;
      }
      yield next;
      cursor = next.seq;
      if (durableKey !== undefined) durablePositions.set(durableKey, cursor);
    }
  }

  async function* follow(filter: string, options: SubscribeOptions): AsyncGenerator<BusMessage> {
    const queue: BusMessage[] = [];
    const subscriber = { filter, push: (message: BusMessage) => queue.push(message) && wake() };
    live.add(subscriber);
    try {
      while (!options.signal.aborted && !closed) {
        const next = queue.shift();
        if (next) yield next;
        else await changed(options.signal);
      }
    } finally {
      live.delete(subscriber);
    }
  }

  function changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Messages are in seq order: binary-search the first one after `seq`, then scan for the filter. */
function firstMatchAfter(
  messages: readonly BusMessage[],
  seq: number,
  filter: string,
): BusMessage | undefined {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((messages[mid]?.seq ?? 0) <= seq) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < messages.length; i++) {
    const message = messages[i];
    if (message && subjectMatches(filter, message.subject)) return message;
  }
  return undefined;
}
