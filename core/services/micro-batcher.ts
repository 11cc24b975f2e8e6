/**
 * Groups calls that arrive together into one batch: callers await their own result while the work runs once
 * per batch (one database round trip for many faults instead of one each). A batch starts on the next turn of
 * the event loop or when it is full; at most `maxInFlight` batches run at once.
 */
export interface MicroBatcher<I, O> {
  add(item: I): Promise<O>;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export function createMicroBatcher<I, O>(
  process: (items: readonly I[]) => Promise<readonly O[]>,
  options: { readonly maxSize: number; readonly maxInFlight: number },
): MicroBatcher<I, O> {
  let waiting: Pending<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    while (waiting.length > 0 && inFlight < options.maxInFlight) {
      const batch = waiting.slice(0, options.maxSize);
      waiting = waiting.slice(batch.length);
      inFlight += 1;
      process(batch.map((p) => p.item))
        .then(
          (results) => batch.forEach((p, i) => p.resolve(results[i] as O)),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          inFlight -= 1;
          schedule();
        });
    }
  };

  const schedule = (): void => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    add(item) {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (waiting.length >= options.maxSize) flush();
        else schedule();
      });
    },
  };
}
