/**
 * Slack writes go through one serial queue per channel (Slack limits posting per channel, and a thread's
 * replies must land in order), and each incident's calls stay within a per-minute budget: beyond it, work
 * waits for the window to roll rather than drawing 429s for everyone. Slack's own 429s are waited out by
 * @slack/web-api (Retry-After); this keeps us from provoking them.
 */
export interface SendQueue {
  /**
   * Runs `work` after everything queued before it on `channel`. Routine work (progress edits) first waits
   * until `incidentId` has budget left; urgent work (the card, outcomes, answers) never waits, but counts.
   */
  run<T>(
    channel: string,
    incidentId: string | undefined,
    work: () => Promise<T>,
    options?: { readonly urgent?: boolean },
  ): Promise<T>;
  /** Resolves when every queued write has finished. */
  drain(): Promise<void>;
}

const reservedForUrgent = 5;

export function createSendQueue(options: { readonly callsPerMinutePerIncident: number }): SendQueue {
  const tails = new Map<string, Promise<unknown>>();
  const calls = new Map<string, number[]>();

  async function waitForBudget(incidentId: string, urgent: boolean): Promise<void> {
    for (;;) {
      const now = Date.now();
      const recent = (calls.get(incidentId) ?? []).filter((at) => now - at < 60_000);
      // routine work leaves a few calls of each minute to the card and outcomes
      if (urgent || recent.length < options.callsPerMinutePerIncident - reservedForUrgent) {
        recent.push(now);
        calls.set(incidentId, recent);
        return;
      }
      calls.set(incidentId, recent);
      await new Promise((resolve) => setTimeout(resolve, 60_000 - (now - (recent[0] ?? now)) + 5));
    }
  }

  return {
    async run(channel, incidentId, work, runOptions = {}) {
      // the budget is waited for outside the channel's queue, so one busy incident never holds up the others
      if (incidentId !== undefined) await waitForBudget(incidentId, runOptions.urgent === true);
      const previous = tails.get(channel) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(work);
      const tail = next.catch(() => undefined);
      tails.set(channel, tail);
      void tail.then(() => {
        if (tails.get(channel) === tail) tails.delete(channel);
      });
      return next;
    },
    async drain() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
  };
}
