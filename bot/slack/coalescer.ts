/**
 * Coalesces edits of one message: the first request runs at once, later ones at most every `minIntervalMs`,
 * and requests made while one runs fold into a single follow-up. The work renders the latest state when it
 * runs, so nothing is lost by skipping the states in between. Work that fails (Slack down, rate limits that
 * outlast the client's retries) is tried again with a growing delay, so the last state is always shown.
 */
export interface Coalescer {
  request(key: string, work: () => Promise<void>): void;
  /** Resolves when no work is pending or running (for shutdown and tests). */
  idle(): Promise<void>;
  stop(): void;
}

interface Entry {
  work: () => Promise<void>;
  lastRun: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  dirty: boolean;
  failures: number;
}

const maxFailures = 8;

export function createCoalescer(options: {
  readonly minIntervalMs: number;
  /** Called on every failure; `willRetry` is false once the work is given up. */
  readonly onError: (key: string, error: unknown, willRetry: boolean) => void;
}): Coalescer {
  const entries = new Map<string, Entry>();
  let stopped = false;

  /** An idle entry is kept for one interval, so a request right after a run still waits its turn. */
  function forgetLater(key: string, entry: Entry): void {
    setTimeout(() => {
      if (!entry.dirty && !entry.running && !entry.timer && entries.get(key) === entry) entries.delete(key);
    }, options.minIntervalMs).unref();
  }

  function schedule(key: string, entry: Entry): void {
    if (stopped || entry.timer || entry.running) return;
    const backoff = entry.failures === 0 ? 0 : Math.min(60_000, 1_000 * 2 ** (entry.failures - 1));
    const wait = Math.max(backoff, entry.lastRun + options.minIntervalMs - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.dirty = false;
      entry.lastRun = Date.now();
      entry.running = entry
        .work()
        .then(
          () => {
            entry.failures = 0;
          },
          (error: unknown) => {
            entry.failures += 1;
            const willRetry = entry.failures < maxFailures;
            options.onError(key, error, willRetry);
            if (willRetry) entry.dirty = true;
            else entry.failures = 0;
          },
        )
        .finally(() => {
          entry.running = undefined;
          if (entry.dirty) schedule(key, entry);
          else forgetLater(key, entry);
        });
    }, wait);
  }

  return {
    request(key, work) {
      const entry: Entry = entries.get(key) ?? {
        work,
        lastRun: 0,
        dirty: false,
        timer: undefined,
        running: undefined,
        failures: 0,
      };
      entry.work = work;
      entry.dirty = true;
      entries.set(key, entry);
      schedule(key, entry);
    },
    async idle() {
      for (;;) {
        const busy = [...entries.values()].filter(
          (entry) => entry.dirty || entry.running !== undefined || entry.timer !== undefined,
        );
        if (busy.length === 0) return;
        await Promise.all(busy.map((entry) => entry.running ?? new Promise<void>((r) => setTimeout(r, 20))));
      }
    },
    stop() {
      stopped = true;
      for (const entry of entries.values()) if (entry.timer) clearTimeout(entry.timer);
      entries.clear();
    },
  };
}
