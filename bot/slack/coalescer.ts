/**
 * Coalesces edits of one message: the first request runs at once, later ones at most every `minIntervalMs`,
 * and requests made while one runs fold into a single follow-up. The work renders the latest state when it
 * runs, so nothing is lost by skipping the states in between. Work that fails for a reason worth retrying
 * (the store briefly unreachable) is tried again along the chat-render policy, so the last state is shown;
 * Slack's own failures are not (the Web API client has retried them already: no second layer).
 */
import { retryPolicies } from '../../core/domain/retry-policies.ts';
import { withRetry } from '../../core/services/retry.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface Coalescer {
  request(key: string, work: () => Promise<void>): void;
  /** Resolves when no work is pending or running (for shutdown and tests). */
  idle(): Promise<void>;
  /** Drops what is pending and cuts any retry wait short. */
  stop(): void;
}

interface Entry {
  work: () => Promise<void>;
  lastRun: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  dirty: boolean;
}

export function createCoalescer(options: {
  readonly minIntervalMs: number;
  /** Which failures are worth trying again here (the rest are reported and dropped). */
  readonly retryable: (error: unknown) => boolean;
  /** Called on every failure; `willRetry` is false once the work is given up. */
  readonly onError: (key: string, error: unknown, willRetry: boolean) => void;
}): Coalescer {
  const entries = new Map<string, Entry>();
  const stopping = new AbortController();

  /** An idle entry is kept for one interval, so a request right after a run still waits its turn. */
  function forgetLater(key: string, entry: Entry): void {
    setTimeout(() => {
      if (!entry.dirty && !entry.running && !entry.timer && entries.get(key) === entry) entries.delete(key);
    }, options.minIntervalMs).unref();
  }

  function attempt(key: string, entry: Entry): Promise<void> {
    return withRetry(
      () => {
        entry.dirty = false;
        entry.lastRun = Date.now();
        return entry.work();
      },
      retryPolicies.chatRender,
      {
        what: `Slack message ${key}`,
        signal: stopping.signal,
        retryable: options.retryable,
        onRetry: ({ error }) => options.onError(key, error, true),
      },
    ).catch((error: unknown) => {
      if (!stopping.signal.aborted) options.onError(key, error, false);
    });
  }

  function schedule(key: string, entry: Entry): void {
    if (stopping.signal.aborted || entry.timer || entry.running) return;
    const wait = Math.max(0, entry.lastRun + options.minIntervalMs - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.running = attempt(key, entry).finally(() => {
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
      stopping.abort(new WatchkeeperError('stopping', 'Slack is stopping'));
      for (const entry of entries.values()) if (entry.timer) clearTimeout(entry.timer);
      entries.clear();
    },
  };
}
