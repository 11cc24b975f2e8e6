/**
 * A run's progress as the pipeline sees it, whoever numbers it: Watchkeeper's own events (`emit`, numbered after
 * everything so far) and events a sandbox numbered itself (`record`: the in-pod runner's, read back from
 * JetStream or the pod's log). Both go through the one progress publisher, so every event is bounded, redacted
 * and validated the same way before it is stored (idempotent on run and sequence) or published.
 */
import type { Bus } from '../../core/ports/bus.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Store } from '../../core/ports/store.ts';
import {
  createProgressPublisher,
  storeAndBusSink,
  type ProgressDraft,
  type ProgressSink,
} from '../progress/progress-publisher.ts';

export interface RunProgress {
  emit(draft: ProgressDraft): Promise<void>;
  /**
   * An event numbered by the sandbox (untrusted: checked like any other). Stored; published on the bus only
   * when `publish` (it did not arrive from there). An event at or below the last sequence is ignored.
   */
  record(event: unknown, options: { readonly publish: boolean }): Promise<void>;
  /** The highest sequence stored or published so far. */
  lastSeq(): number;
  /** Whether a `run.finished` event is among them. */
  finished(): boolean;
}

interface Placement {
  readonly seq: number;
  readonly publish: boolean;
}

export function createRunProgress(options: {
  readonly runId: string;
  readonly bus: Bus;
  readonly store: Store;
  readonly logger: Logger;
  /** Resume after this sequence (a re-attached run's last stored event). */
  readonly afterSeq?: number;
}): RunProgress {
  let last = options.afterSeq ?? 0;
  let finished = false;
  let accepted = 0;
  // The publisher numbers 1, 2, 3…; each of its numbers is placed at the sequence the run gives it.
  const placements = new Map<number, Placement>();
  const storeAndBus = storeAndBusSink(options);
  const sink: ProgressSink = async (event) => {
    const where = placements.get(event.seq) ?? { seq: event.seq, publish: true };
    placements.delete(event.seq);
    const placed = { ...event, seq: where.seq };
    if (where.publish) await storeAndBus(placed);
    else await options.store.progress.append(placed);
  };
  const publisher = createProgressPublisher({ runId: options.runId, sink });

  function place(draft: ProgressDraft, where: Placement): Promise<void> {
    placements.set(accepted + 1, where);
    const dropped = publisher.dropped();
    const written = publisher.emit(draft);
    if (publisher.dropped() === dropped) {
      accepted += 1;
      last = Math.max(last, where.seq);
      if (draft.type === 'run.finished') finished = true;
    } else placements.delete(accepted + 1);
    return written;
  }

  return {
    emit: (draft) => place(draft, { seq: last + 1, publish: true }),
    record(event, { publish }) {
      if (typeof event !== 'object' || event === null) return Promise.resolve();
      const { runId, seq, at: _at, ...draft } = event as Record<string, unknown>;
      if (runId !== options.runId || typeof seq !== 'number' || !Number.isInteger(seq) || seq <= last)
        return Promise.resolve();
      return place(draft as ProgressDraft, { seq, publish });
    },
    lastSeq: () => last,
    finished: () => finished,
  };
}
