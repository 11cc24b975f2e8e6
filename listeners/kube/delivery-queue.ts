/** Hands faults to the sink in order, retrying with backoff while it fails; nothing is dropped. */
import type { Fault } from '../../core/domain/fault.ts';
import type { Logger } from '../../core/ports/logger.ts';

export interface DeliveryQueue {
  deliver(fault: Fault): void;
  /** Faults handed over that the sink has not taken yet. */
  backlog(): number;
  /** Stops retrying; resolves when the delivery in progress has ended. */
  stop(): Promise<void>;
}

export function createDeliveryQueue(sink: (fault: Fault) => Promise<unknown>, logger: Logger): DeliveryQueue {
  const pending: Fault[] = [];
  let delivering: Promise<void> | undefined;
  let stopped = false;

  function pump(): void {
    delivering ??= (async () => {
      let delay = 200;
      while (pending.length > 0 && !stopped) {
        const next = pending[0];
        if (!next) break;
        try {
          await sink(next);
          pending.shift();
          delay = 200;
        } catch (error) {
          logger.warn(
            { err: error, faultId: next.faultId, backlog: pending.length },
            'fault not taken yet; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 30_000);
        }
      }
    })().finally(() => {
      delivering = undefined;
      if (pending.length > 0 && !stopped) pump();
    });
  }

  return {
    deliver(fault) {
      pending.push(fault);
      pump();
    },
    backlog: () => pending.length,
    async stop() {
      stopped = true;
      await delivering;
    },
  };
}
