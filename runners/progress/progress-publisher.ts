/**
 * Numbers, bounds, redacts and validates a run's progress events and hands each, in order, to a sink: in
 * Watchkeeper the store (idempotent on run and sequence) then the bus (`watchkeeper.run.<id>.progress`, message
 * id = run:seq); in the agent pod, NATS and stdout (runners/pod). The numbering and redaction live only here.
 */
import { ProgressEventSchema, type ProgressEvent } from '../../core/domain/progress.ts';
import { redact, redactBounded } from '../../core/domain/redact.ts';
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Store } from '../../core/ports/store.ts';
import { subjects } from '../../core/ports/subjects.ts';

type Distribute<T> = T extends unknown ? Omit<T, 'runId' | 'seq' | 'at'> : never;
/** A progress event as a source reports it; the publisher adds run id, sequence number and time. */
export type ProgressDraft = Distribute<ProgressEvent>;

export interface ProgressPublisher {
  emit(draft: ProgressDraft): Promise<void>;
  /** Events that did not validate and were dropped. */
  dropped(): number;
}

const limits: Record<string, number> = {
  summary: 500,
  excerpt: 500,
  reason: 500,
  message: 1_000,
  tool: 128,
  callId: 128,
};

/** Every string field redacted (tool output, arguments, messages, even the model name), the long ones bounded. */
function bounded(draft: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(draft).map(([key, value]) => {
      if (typeof value !== 'string') return [key, value];
      const limit = limits[key];
      return [key, limit === undefined ? redact(value) : redactBounded(value, limit)];
    }),
  );
}

/** Where numbered events go, one at a time and in order (the next waits for the previous one). */
export type ProgressSink = (event: ProgressEvent) => Promise<void>;

/** Watchkeeper's own sink: store each event, then publish it (a failed publish is logged, the event is kept). */
export function storeAndBusSink(options: {
  readonly runId: string;
  readonly bus: Bus;
  readonly store: Store;
  readonly logger: Logger;
}): ProgressSink {
  return async (event) => {
    await options.store.progress.append(event);
    await options.bus
      .publish(subjects.runProgress(options.runId), event, { msgId: progressMsgId(event) })
      .catch((error: unknown) =>
        options.logger.warn({ err: error, runId: options.runId }, 'progress not published'),
      );
  };
}

/** The JetStream de-duplication id of an event: the same in Watchkeeper and in the pod. */
export const progressMsgId = (event: Pick<ProgressEvent, 'runId' | 'seq'>): string =>
  `${event.runId}:${event.seq}`;

export function createProgressPublisher(
  options:
    | { readonly runId: string; readonly sink: ProgressSink }
    | { readonly runId: string; readonly bus: Bus; readonly store: Store; readonly logger: Logger },
): ProgressPublisher {
  const sink = 'sink' in options ? options.sink : storeAndBusSink(options);
  let seq = 0;
  let dropped = 0;
  let chain: Promise<void> = Promise.resolve();
  return {
    emit(draft) {
      const candidate = {
        ...bounded(draft),
        runId: options.runId,
        seq: seq + 1,
        at: new Date(),
      };
      const parsed = ProgressEventSchema.safeParse(candidate);
      if (!parsed.success) {
        dropped += 1;
        return Promise.resolve();
      }
      seq += 1;
      const event = parsed.data;
      chain = chain.then(() => sink(event));
      return chain;
    },
    dropped: () => dropped,
  };
}
