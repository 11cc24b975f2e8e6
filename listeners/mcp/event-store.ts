/**
 * A bounded event store for Streamable HTTP resumability: events missed while a client's stream was down are
 * replayed from its `Last-Event-ID`. It remembers each event's stream (the SDK's example store derives the stream
 * from the id and breaks replay of the standalone GET stream).
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface Stored {
  readonly streamId: string;
  readonly message: JSONRPCMessage;
}

export class BoundedEventStore implements EventStore {
  private readonly events = new Map<string, Stored>();
  private sequence = 0;
  private readonly maxEvents: number;

  constructor(maxEvents = 10_000) {
    this.maxEvents = maxEvents;
  }

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    this.sequence += 1;
    const eventId = this.sequence.toString(36).padStart(10, '0');
    this.events.set(eventId, { streamId, message });
    if (this.events.size > this.maxEvents) {
      const oldest = this.events.keys().next();
      if (!oldest.done) this.events.delete(oldest.value);
    }
    return Promise.resolve(eventId);
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return Promise.resolve(this.events.get(eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const last = this.events.get(lastEventId);
    if (!last) return '';
    let after = false;
    for (const [eventId, event] of this.events) {
      if (eventId === lastEventId) {
        after = true;
        continue;
      }
      if (after && event.streamId === last.streamId) await send(eventId, event.message);
    }
    return last.streamId;
  }

  /** Forgets a closed session's streams. */
  dropStreams(streamIds: ReadonlySet<string>): void {
    for (const [eventId, event] of this.events)
      if (streamIds.has(event.streamId)) this.events.delete(eventId);
  }
}
