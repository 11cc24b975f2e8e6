/**
 * The Slack Web API emulator the Slack tests post to, checked with the real @slack/web-api client: it answers
 * like Slack, keeps threads, enforces Block Kit limits, and its injected 429s and 5xx are what the client's
 * own retries must get through.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackApiEmulator, type SlackApiEmulator } from '../harness/slack/slack-api-emulator.ts';

describe('the Slack Web API emulator', () => {
  let slack: SlackApiEmulator;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startSlackApiEmulator();
    client = new WebClient(slack.token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 20 },
    });
  });
  afterAll(() => slack.close());

  it('keeps a thread: a parent, replies, and edits in place', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'incident opened' });
    await client.chat.postMessage({ channel: 'C1', thread_ts: parent.ts ?? '', text: 'progress' });
    await client.chat.update({ channel: 'C1', ts: parent.ts ?? '', text: 'incident reported' });
    const thread = slack.thread('C1', parent.ts ?? '');
    expect(thread.map((m) => m.text)).toEqual(['incident reported', 'progress']);
    expect(thread[0]?.edits).toBe(1);
    await expect(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toThrow(
      /message_not_found/,
    );
  });

  it('refuses what Slack refuses: a bad token, too long a section', async () => {
    const stranger = new WebClient('xoxb-wrong', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    await expect(stranger.auth.test()).rejects.toThrow(/invalid_auth/);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3_001) } }];
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks })).rejects.toThrow(
      /invalid_blocks/,
    );
  });

  it('answers 429 with Retry-After as told, and the client waits it out', async () => {
    slack.rateLimit('chat.postMessage', 1, 1);
    const started = Date.now();
    const posted = await client.chat.postMessage({ channel: 'C2', text: 'after the limit' });
    expect(posted.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const statuses = slack.calls.filter((c) => c.args.channel === 'C2').map((c) => c.status);
    expect(statuses).toEqual([429, 200]);
  });

  it('answers 5xx as told, which the client retries', async () => {
    slack.failWith('chat.postMessage', 2, 503);
    const posted = await client.chat.postMessage({ channel: 'C3', text: 'after two failures' });
    expect(posted.ok).toBe(true);
    expect(slack.calls.filter((c) => c.args.channel === 'C3').map((c) => c.status)).toEqual([503, 503, 200]);
  });
});
