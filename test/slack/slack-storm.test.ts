/**
 * Fifty incidents at once, each with an agent that reports a step every few tens of milliseconds, while Slack
 * answers some posts and edits with 429 + Retry-After: every thread must end complete (card reported, one
 * progress reply showing the end, one outcome), with nothing lost, nothing posted twice, and no 429 surfacing
 * as an error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../fixtures/until.ts';
import { incidentsChannel, startSlackRuntime, type SlackRuntime } from './slack-runtime.ts';
import { messageText, stormFault, stormSettings, threadsOf } from './chatty-storm.ts';

const incidents = Number(process.env.STORM_INCIDENTS ?? 50);
const steps = 25;

describe('Slack under a storm of chatty runs and rate limits', () => {
  let wk: SlackRuntime;

  beforeAll(async () => {
    wk = await startSlackRuntime({
      ...stormSettings(incidents, { steps, delayMs: 40 }),
      slack: { progress: { minUpdateIntervalMs: 1_000 } },
    });
  }, 60_000);
  afterAll(() => wk.stop());

  it('every thread is complete, nothing is duplicated, and every 429 is waited out', async () => {
    wk.slack.rateLimit('chat.postMessage', 6, 1);
    wk.slack.rateLimit('chat.update', 12, 1);
    wk.slack.failWith('chat.update', 2, 503);
    const run = randomUUID().slice(0, 8);
    await Promise.all(
      Array.from({ length: incidents }, (_, i) => wk.runtime.intake.ingest(stormFault(i, run))),
    );

    const complete = () =>
      threadsOf(wk, incidentsChannel).filter(
        ({ card, replies }) =>
          messageText(card).includes('reported') &&
          replies.some((m) => messageText(m).includes('Triage report')) &&
          replies.some((m) => messageText(m).includes('finished')),
      ).length;
    await until(`all ${incidents} threads complete`, () => complete() === incidents, 150_000, 250).catch(
      async (error: unknown) => {
        const all = threadsOf(wk, incidentsChannel);
        const states = await wk.runtime.store.incidents.list({ limit: 500 });
        const summary = {
          cards: all.length,
          reported: all.filter((t) => messageText(t.card).includes('reported')).length,
          outcomes: all.filter((t) => t.replies.some((m) => messageText(m).includes('Triage report'))).length,
          finished: all.filter((t) => t.replies.some((m) => messageText(m).includes('finished'))).length,
          states: states.map((i) => i.state.status).join(','),
          calls: Object.entries(
            wk.slack.calls.reduce<Record<string, number>>((acc, c) => {
              const k = `${c.method} ${c.status}`;
              acc[k] = (acc[k] ?? 0) + 1;
              return acc;
            }, {}),
          ),
          logs: wk.logs
            .filter(
              (l) => !l.message.includes('http request body') && !l.message.includes('http request headers'),
            )
            .slice(-25)
            .map((l) => `${l.level} ${l.message} ${String((l.fields as { err?: unknown }).err)}`),
        };
        throw new Error(`${String(error)}: ${JSON.stringify(summary, null, 1)}`);
      },
    );

    const threads = threadsOf(wk, incidentsChannel);
    expect(threads).toHaveLength(incidents);
    for (const { card, replies, calls } of threads) {
      // the whole storm takes less than a minute: every incident stays within its 20 calls a minute
      expect(calls.filter((call) => call.status === 200).length).toBeLessThanOrEqual(20);
      const progress = replies.filter((m) => messageText(m).includes('Triage* by'));
      expect(progress, messageText(card)).toHaveLength(1);
      expect(messageText(progress[0])).toMatch(new RegExp(`step ${steps}\\b`));
      expect(replies.filter((m) => messageText(m).includes('Triage report'))).toHaveLength(1);
      expect(replies).toHaveLength(2);
    }
    const limited = wk.slack.calls.filter((call) => call.status === 429);
    expect(limited).toHaveLength(18);
    expect(wk.slack.calls.filter((call) => call.status === 503)).toHaveLength(2);
    const problems = wk.logs.filter((line) => line.level === 'warn' || line.level === 'error');
    expect(problems.map((line) => line.message)).toEqual([]);
  }, 180_000);
});
