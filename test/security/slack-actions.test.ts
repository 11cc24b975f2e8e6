/**
 * Slack actions as an impatient or hostile person sends them, through signed requests to the real runtime: a
 * double click on Mute is one silence and one note, values that are not Watchkeeper's own (prototype keys,
 * extra parts) are refused without a crash, and a request signed an hour in the future gets 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionIds } from '../../bot/slack/action-ids.ts';
import { asIncidentId } from '../../core/domain/ids.ts';
import type { Incident } from '../../core/domain/incident.ts';
import { until } from '../fixtures/until.ts';
import type { EmulatedMessage } from '../harness/slack/slack-api-emulator.ts';
import { clickPayload, startSlackRuntime, topLevel, type SlackRuntime } from '../slack/slack-runtime.ts';

describe('Slack actions under double clicks and forged values', () => {
  let wk: SlackRuntime;
  let card: EmulatedMessage;
  let incident: Incident;

  beforeAll(async () => {
    // no agent profile: the incident waits in "triage queued", which is all a Mute needs
    wk = await startSlackRuntime({});
    const answer = await wk.client.command({
      command: '/triage',
      text: 'deploy/shop/double-click',
      user_id: 'U0OPS',
      channel_id: 'C0INCIDENTS',
      team_id: 'T0001',
      trigger_id: 'trigger-double-click',
      response_url: wk.slack.responseUrl(),
    });
    expect(answer.status).toBe(200);
    await until('the card', () => topLevel(wk.slack).length > 0, 20_000);
    const posted = topLevel(wk.slack)[0];
    const stored = posted && (await wk.runtime.store.chat.messageAt(posted.channel, posted.ts));
    const found =
      stored?.incidentId && (await wk.runtime.store.incidents.get(asIncidentId(stored.incidentId)));
    if (!posted || !found) throw new Error('no card for the incident');
    card = posted;
    incident = found;
  }, 60_000);

  afterAll(async () => {
    await wk.stop();
  });

  const silencesOf = async () =>
    (await wk.runtime.store.silences.active(new Date())).filter(
      (silence) => silence.matcher.fingerprint === incident.fingerprint,
    );
  const muteNotes = () =>
    wk.slack.thread(card.channel, card.ts).filter((message) => message.text.includes(':mute:'));

  it('a double click on Mute makes one silence and one note', async () => {
    const click = (at: number) => {
      const payload = clickPayload('U0OPS', card, {
        action_id: actionIds.mute,
        selected: `${incident.id}|1h`,
      });
      const [action] = payload.actions as Record<string, unknown>[];
      if (action) action.action_ts = `${at}`;
      return wk.client.interaction(payload);
    };
    const now = Date.now() / 1000;
    const answers = await Promise.all([click(now), click(now + 0.15)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await until('the mute note', () => muteNotes().length > 0, 10_000);
    // a third, later click of the same duration adds nothing either
    await click(now + 2);
    await until('the third click is answered', () =>
      wk.slack.calls.some(
        (call) => call.method === 'chat.postEphemeral' && String(call.args.text).includes('already muted'),
      ),
    );
    expect(await silencesOf()).toHaveLength(1);
    expect(muteNotes()).toHaveLength(1);
  });

  it.each([`__proto__`, 'constructor', 'toString', '1h|extra', ''])(
    'a Mute value of %j is refused with a reply, nothing muted, nothing thrown',
    async (choice) => {
      const before = wk.slack.calls.length;
      const answer = await wk.client.interaction(
        clickPayload('U0OPS', card, { action_id: actionIds.mute, selected: `${incident.id}|${choice}` }),
      );
      expect(answer.status).toBe(200);
      await until('the refusal', () =>
        wk.slack.calls.slice(before).some((call) => call.method === 'chat.postEphemeral'),
      );
      const reply = wk.slack.calls.slice(before).find((call) => call.method === 'chat.postEphemeral');
      expect(String(reply?.args.text)).toMatch(/not one Watchkeeper offers/);
      expect(await silencesOf()).toHaveLength(1);
      expect(wk.logs.filter((line) => line.message === 'a Slack request failed')).toEqual([]);
    },
  );

  it.each([`__proto__`, '../x', 'x'.repeat(65), 'a|b'])(
    'a Resolve value of %j is refused and the incident stays open',
    async (value) => {
      const before = wk.slack.calls.length;
      await wk.client.interaction(clickPayload('U0OPS', card, { action_id: actionIds.resolve, value }));
      await until('the refusal', () =>
        wk.slack.calls.slice(before).some((call) => call.method === 'chat.postEphemeral'),
      );
      expect((await wk.runtime.store.incidents.get(incident.id))?.state.status).not.toBe('resolved');
    },
  );

  it('signed requests more than five minutes off either way get 401; within them, 200', async () => {
    const body = { command: '/triage', text: 'help', user_id: 'U0OPS', trigger_id: 't-clock' };
    const now = Math.floor(Date.now() / 1000);
    expect((await wk.client.command(body, { timestamp: now + 3_600 })).status).toBe(401);
    expect((await wk.client.command(body, { timestamp: now + 6 * 60 })).status).toBe(401);
    expect((await wk.client.command(body, { timestamp: now - 6 * 60 })).status).toBe(401);
    expect((await wk.client.command(body, { timestamp: now + 60 })).status).toBe(200);
    expect((await wk.client.command(body)).status).toBe(200);
    const mute = clickPayload('U0OPS', card, { action_id: actionIds.mute, selected: `${incident.id}|8h` });
    expect((await wk.client.interaction(mute, { timestamp: now + 3_600 })).status).toBe(401);
    expect(await silencesOf()).toHaveLength(1);
  });
});
