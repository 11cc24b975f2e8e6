/** Hands faults to the sink in order, retrying with backoff while it fails; nothing retryable is dropped. */
import type { Fault } from '../../core/domain/fault.ts';
import { retryPolicies } from '../../core/domain/retry-policies.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { withRetry } from '../../core/services/retry.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface DeliveryQueue {
  deliver(fault: Fault): void;
  /** Faults handed over that the sink has not taken yet. */
  backlog(): number;
  /** Stops retrying at once (a backoff in progress is cut short); resolves when the delivery has ended. */
  stop(): Promise<void>;
}

export function createDeliveryQueue(sink: (fault: Fault) => Promise<unknown>, logger: Logger): DeliveryQueue {
  const pending: Fault[] = [];
  const stopping = new AbortController();
  let delivering: Promise<void> | undefined;

  async function deliverHead(next: Fault): Promise<void> {
    try {
      await withRetry(() => sink(next), retryPolicies.faultDelivery, {
        what: `fault ${next.faultId} not taken yet (backlog ${pending.length})`,
        signal: stopping.signal,
        logger,
      });
    } catch (error) {
      if (stopping.signal.aborted) return;
      // not worth retrying (the fault cannot be stored as it is): say so and go on with the others
      logger.error(
        { err: error, faultId: next.faultId },
        `fault ${next.faultId} dropped: it cannot be taken`,
      );
    }
    pending.shift();
  }

  function pump(): void {
    delivering ??= (async () => {
      while (pending.length > 0 && !stopping.signal.aborted) {
        const next = pending[0];
        if (!next) break;
        await deliverHead(next);
      }
    })().finally(() => {
      delivering = undefined;
      if (pending.length > 0 && !stopping.signal.aborted) pump();
    });
  }

  return {
    deliver(fault) {
      pending.push(fault);
      pump();
    },
    backlog: () => pending.length,
    async stop() {
      stopping.abort(new WatchkeeperError('stopping', 'the fault watcher is stopping'));
      await delivering;
    },
  };
}
