/**
 * Socket Mode, the default: Watchkeeper opens the connection itself (apps.connections.open with the app-level
 * token), and slash commands, button clicks and events arrive over the WebSocket and are acknowledged on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionIds } from '../../bot/slack/action-ids.ts';
import { makeFault } from '../fixtures/domain.ts';
import { until } from '../fixtures/until.ts';
import {
  clickPayload,
  incidentsChannel,
  startSlackRuntime,
  topLevel,
  type SlackRuntime,
} from './slack-runtime.ts';

describe('Slack over Socket Mode', () => {
  let wk: SlackRuntime;
  beforeAll(async () => {
    wk = await startSlackRuntime({
      cluster: 'harness',
      watcher: { enabled: false },
      slack: { mode: 'socket', routes: [{ channel: 'C0PRIVATE', namespaces: ['private-*'] }] },
    });
    wk.slack.notInChannel.add('C0PRIVATE');
    await wk.slack.socketMode.connected();
  }, 60_000);
  afterAll(() => wk.stop());

  const command = (text: string) =>
    wk.slack.socketMode.send('slash_commands', {
      command: '/triage',
      text,
      user_id: 'U0SRE',
      channel_id: incidentsChannel,
      team_id: 'T0001',
      trigger_id: `trigger-${text}`,
      response_url: wk.slack.responseUrl(),
    });

  it('connects with the app-level token and answers /triage on the socket', async () => {
    expect(wk.slack.calls.some((c) => c.method === 'apps.connections.open' && c.status === 200)).toBe(true);
    const help = await command('help');
    expect(help).toMatchObject({ response_type: 'ephemeral' });
    expect(String(help.text)).toMatch(/\/triage <kind>\/<namespace>\/<name>/);
    const bad = await command('pod/x');
    expect(String(bad.text)).toMatch(/lives in a namespace/);
  });

  it('opens a thread for /triage, and a Resolve click over the socket resolves it', async () => {
    await command('deploy/shop/api');
    await until('the card is posted', () => topLevel(wk.slack).length === 1);
    const card = topLevel(wk.slack)[0];
    if (!card) throw new Error('unreachable');
    const message = await wk.runtime.store.chat.messageAt(card.channel, card.ts);
    await wk.slack.socketMode.send(
      'interactive',
      clickPayload('U0SRE', card, { action_id: actionIds.resolve, value: message?.incidentId ?? '' }),
    );
    await until('the card says resolved', () => card.text.includes('resolved'));
  });

  it('says to invite the bot when an incident routes to a channel it is not in', async () => {
    await wk.runtime.intake.ingest(
      makeFault({
        cluster: 'harness',
        resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'private-pay', name: 'api', uid: 'u-private' },
      }),
    );
    await until('the warning', () =>
      wk.logs.some((l) => l.level === 'warn' && l.message.includes('(not_in_channel): invite the bot')),
    );
    expect(topLevel(wk.slack, 'C0PRIVATE')).toHaveLength(0);
  });

  it('answers a mention outside an incident thread privately, with what to do instead', async () => {
    await wk.slack.socketMode.send('events_api', {
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: 'Ev0SOCKET',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_mention',
        user: 'U0SRE',
        text: '<@U0BOT> hello',
        ts: `${Date.now() / 1000}`,
        channel: incidentsChannel,
        event_ts: `${Date.now() / 1000}`,
      },
    });
    await until('the private answer', () =>
      wk.slack.calls.some(
        (c) => c.method === 'chat.postEphemeral' && String(c.args.text).includes('incident thread'),
      ),
    );
  });
});
