/**
 * The Slack control plane end to end: a pod crash-loops on the harness cluster, the watcher opens an incident,
 * its thread appears in the routed channel, the real Claude Code CLI (scripted model) investigates with live
 * progress in the thread, the report lands in S3 and is summarized, and people drive the incident with signed
 * slash commands and button clicks. Nothing an agent or the cluster says may mention or mislead anyone.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actionIds } from '../../bot/slack/action-ids.ts';
import { asIncidentId } from '../../core/domain/ids.ts';
import { until } from '../fixtures/until.ts';
import { applyManifests } from '../harness/kube-helpers.ts';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../harness/model-server/scripted-model-server.ts';
import { binaries } from '../harness/process.ts';
import type { EmulatedMessage } from '../harness/slack/slack-api-emulator.ts';
import {
  createGhostPod,
  podStatus,
  setPodStatus,
  useTestNamespace,
  watcherConfigLines,
} from '../intake/cluster-objects.ts';
import { triageReport, triageScript } from '../runners/agent-clis/triage-scenario.ts';
import { clickPayload, startSlackRuntime, topLevel, type SlackRuntime } from './slack-runtime.ts';
import { parse } from 'yaml';

const routed = 'C0ROUTED';
const hostileLog = 'panic: <!channel> see <https://evil.example|click> @here';
const dangerous =
  /<!(channel|here|everyone)>|<@U999|<https?:\/\/evil|(^|[^\u200b])@(here|channel|everyone)\b/;
const chattyAgent = fileURLToPath(new URL('agents/chatty-agent.mjs', import.meta.url));

/** Processes anywhere on this host started for the run (their environment names it), however they grouped. */
async function processesOfRun(runId: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`WATCHKEEPER_RUN_ID=${runId}`)) found.push(Number(entry));
  }
  return found;
}

function text(message: EmulatedMessage | undefined): string {
  return message ? `${message.text}\n${JSON.stringify(message.blocks)}` : '';
}

describe('Slack control plane', () => {
  const space = useTestNamespace('slack');
  let model: ScriptedModelServer;
  let wk: SlackRuntime;
  let faultAt = 0;
  let cardPostedAt = 0;

  beforeAll(async () => {
    await applyManifests(space.client, [
      await readFile(new URL('../../deploy/rbac/triage-readonly.yaml', import.meta.url), 'utf8'),
    ]);
    const script = triageScript(space.name);
    const report = triageReport(space.name).replace(
      /- Root cause: (.*)/,
      `- Root cause: $1 (the log says ${hostileLog}; see [the fix](https://evil.example/fix))`,
    );
    script[script.length - 1] = { kind: 'text', text: report };
    model = await startScriptedModelServer(script);
    const watcher = parse(watcherConfigLines(space.name).join('\n')) as Record<string, unknown>;
    wk = await startSlackRuntime({
      ...watcher,
      // this file starts many runs in a minute; the storm guard would pace them
      incidents: { caps: { maxRunStartsPerMinute: 100 }, budgets: { maxRunsPerIncident: 20 } },
      agents: {
        default: 'claude',
        kubernetesMcpServer: binaries().kubernetesMcpServer,
        profiles: {
          claude: {
            kind: 'claude-code',
            command: binaries().agents['claude-code'],
            model: 'scripted-model',
            baseUrl: model.url,
            apiKeyEnv: 'SCRIPTED_MODEL_KEY',
          },
          gemini: {
            kind: 'gemini',
            command: binaries().agents.gemini,
            model: 'scripted-model',
            baseUrl: model.url,
            apiKeyEnv: 'SCRIPTED_MODEL_KEY',
          },
          slow: {
            command: process.execPath,
            args: [chattyAgent, '{reportFile}'],
            env: { STEPS: '30', DELAY_MS: '200' },
          },
        },
      },
      slack: {
        routes: [{ channel: routed, namespaces: [space.name] }],
        access: { resolve: ['U0OPS', 'S0ONCALL'] },
        progress: { minUpdateIntervalMs: 500 },
        // one incident here sees many runs in a minute (the Manual one: a slow run, a rerun by edits, a rerun
        // resolved mid-way); the default budget (20) is held in the storm test
        callsPerMinutePerIncident: 120,
      },
    });
    wk.slack.userGroups.set('S0ONCALL', ['U0ONCALL']);
  }, 120_000);

  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    const lines = wk.logs.filter(
      (l) => l.level !== 'debug' || l.message.includes('by edits') || process.env.WK_TEST_DEBUG,
    );
    console.log(
      [
        ...lines.slice(-30).map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields).slice(0, 400)}`),
        ...wk.slack.calls.slice(-20).map((c) => `slack ${c.method} ${c.status}`),
        ...wk.slack.messages.slice(-8).map((m) => `message ${m.ts} in ${m.threadTs ?? '-'}: ${m.text}`),
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await wk.stop();
    await model.close();
  });

  it('a crash-looping pod gets one thread in the routed channel, live progress from Claude Code, and the report', async () => {
    await createGhostPod(space.client, space.name, 'checkout', {}, space.node);
    faultAt = Date.now();
    await setPodStatus(space.client, space.name, 'checkout', podStatus.crashLooping(1, 'Error', hostileLog));
    await until('the incident card is posted', () => topLevel(wk.slack, routed).length > 0, 20_000, 10);
    cardPostedAt = Date.now();
    const card = topLevel(wk.slack, routed)[0];
    if (!card) throw new Error('unreachable');
    expect(text(card)).toMatch(/checkout/);

    await until('the card says reported', () => text(card).includes('reported'), 90_000);
    await until(
      'the outcome is in the thread',
      () => wk.slack.thread(routed, card.ts).some((m) => text(m).includes('Triage report')),
      10_000,
    );
    const progressMessage = () =>
      wk.slack.thread(routed, card.ts).find((m) => text(m).includes('Triage* by'));
    await until(
      'the progress reply shows the end',
      () => text(progressMessage()).includes('finished'),
      10_000,
    );
    const thread = wk.slack.thread(routed, card.ts);
    const progress = progressMessage();
    const outcome = thread.find((m) => text(m).includes('Triage report'));
    // progress: every tool call with its result mark, the denied delete, and the end with usage
    expect(text(progress)).toMatch(/kubectl get pods/);
    expect(text(progress)).toMatch(/:no_entry: denied/);
    expect(text(progress)).toMatch(/finished.*tokens/);
    expect(progress?.edits).toBeGreaterThan(0);
    // the report: root cause, the link into S3, usage
    expect(text(outcome)).toMatch(/DATABASE_URL is not set/);
    expect(text(outcome)).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/[^|]*report\.html[^|]*\|Full report>/);
    expect(text(outcome)).toMatch(/tokens/);
    expect(text(card)).toMatch(/Root cause/);
    // one top-level message, and nothing hostile rendered live
    expect(topLevel(wk.slack, routed)).toHaveLength(1);
    for (const message of wk.slack.messages) expect(text(message)).not.toMatch(dangerous);
    expect(text(outcome)).toContain('the fix (`https://evil.example/fix`)');
    // the acceptance goal is 1 s from the apiserver status write; measured ~60-70 ms here
    expect(cardPostedAt - faultAt).toBeLessThan(1_000);
  }, 120_000);

  it('a second opinion from another agent is compared with the first conclusion', async () => {
    const card = topLevel(wk.slack, routed)[0];
    if (!card) throw new Error('no card');
    const incidentId = await incidentOf(card);
    const click = await wk.client.interaction(
      clickPayload('U0ANYONE', card, {
        action_id: actionIds.secondOpinion,
        selected: `${incidentId}|gemini`,
      }),
    );
    expect(click.status).toBe(200);
    await until(
      'the comparison is posted',
      () => wk.slack.thread(routed, card.ts).some((m) => text(m).includes('agrees with')),
      90_000,
    );
    const thread = wk.slack.thread(routed, card.ts);
    expect(thread.some((m) => text(m).includes('<@U0ANYONE> asked `gemini` for a second opinion'))).toBe(
      true,
    );
    // a person asked: the progress is streamed to them as a task timeline, then stopped with the timeline
    const streamed = () => wk.slack.thread(routed, card.ts).find((m) => m.stream !== undefined);
    await until('the streamed progress is stopped', () => streamed()?.stream?.stopped === true);
    const stream = streamed()?.stream;
    expect(stream?.recipient).toBe('U0ANYONE');
    expect(stream?.chunks).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'task_update', status: 'complete' })]),
    );
    expect(text(streamed())).toContain('Second opinion* by `gemini`');
    expect(topLevel(wk.slack, routed)).toHaveLength(1);
  }, 120_000);

  it('Resolve is refused to people outside slack.access.resolve and works for a member of the allowed user group', async () => {
    const card = topLevel(wk.slack, routed)[0];
    if (!card) throw new Error('no card');
    const incidentId = await incidentOf(card);
    const before = wk.slack.calls.length;
    await wk.client.interaction(
      clickPayload('U0INTRUDER', card, { action_id: actionIds.resolve, value: incidentId }),
    );
    await until('the refusal is sent', () =>
      wk.slack.calls.slice(before).some((c) => c.method === 'chat.postEphemeral'),
    );
    const refusal = wk.slack.calls.slice(before).find((c) => c.method === 'chat.postEphemeral');
    expect(refusal?.args).toMatchObject({ user: 'U0INTRUDER', channel: routed });
    expect(String(refusal?.args.text)).toMatch(/not allowed to resolve.*slack\.access\.resolve/);
    expect((await wk.runtime.store.incidents.get(asIncidentId(incidentId)))?.state.status).not.toBe(
      'resolved',
    );

    await wk.client.interaction(
      clickPayload('U0ONCALL', card, { action_id: actionIds.resolve, value: incidentId }),
    );
    await until('the card says resolved', () => text(card).includes('resolved'));
    const audit = await wk.runtime.store.audit.listByIncident(asIncidentId(incidentId));
    expect(audit.map((a) => [a.action, a.actor])).toEqual(
      expect.arrayContaining([
        ['slack.second_opinion', { type: 'slack-user', userId: 'U0ANYONE' }],
        ['slack.resolve', { type: 'slack-user', userId: 'U0ONCALL' }],
      ]),
    );
  }, 30_000);

  it('/triage answers help and bad input ephemerally, and starts a triage of any resource in its own thread', async () => {
    const command = (commandText: string) =>
      wk.client.command({
        command: '/triage',
        text: commandText,
        user_id: 'U0ANYONE',
        channel_id: routed,
        team_id: 'T0001',
        trigger_id: `trigger-${commandText}`,
        response_url: wk.slack.responseUrl(),
      });
    const bad = await command('pod/checkout');
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String(bad.json?.text)).toMatch(/lives in a namespace/);
    const unknownAgent = await command(`deploy/${space.name}/checkout agent=nope`);
    await until('the answer to the unknown agent', () => wk.slack.responses.length > 0);
    expect(unknownAgent.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String(wk.slack.responses.at(-1)?.body.text)).toMatch(/no agent profile `nope`/);

    const cards = topLevel(wk.slack, routed).length;
    const good = await command(`deploy/${space.name}/checkout agent=slow`);
    expect(String(good.json?.text)).toMatch(/Starting a triage/);
    await until('a second thread opens', () => topLevel(wk.slack, routed).length === cards + 1);
    await until('the answer links the thread', () =>
      wk.slack.responses.some((r) => /Opened an incident.*Open the thread/.test(String(r.body.text))),
    );
    const list = await command('list');
    expect(String(list.json?.text)).toMatch(/Deployment\/.*checkout/);
  }, 30_000);

  it('a restart mid-run keeps editing the same messages and posts nothing twice', async () => {
    const card = topLevel(wk.slack, routed).at(-1);
    if (!card) throw new Error('no card');
    const progressOf = () =>
      wk.slack.thread(routed, card.ts).filter((m) => text(m).includes('Triage by slow: '));
    await until('the slow run shows a few steps', () => text(progressOf()[0]).includes('step 3'), 20_000);
    const firstProgress = progressOf()[0];
    await wk.restart();
    await until('the card says reported after the restart', () => text(card).includes('reported'), 60_000);
    await until('the stopped run is shown stopped', () => text(firstProgress).includes('stopped'), 10_000);
    await until('the outcome is posted', () =>
      wk.slack.thread(routed, card.ts).some((m) => text(m).includes('Triage report')),
    );
    await sleep(1_000); // anything posted twice would show up by now
    expect(topLevel(wk.slack, routed).filter((m) => m.ts === card.ts)).toHaveLength(1);
    const replies = wk.slack.thread(routed, card.ts).filter((m) => m.ts !== card.ts);
    // one progress reply per run (the stopped one and its rerun) and one outcome
    expect(progressOf()).toHaveLength(2);
    expect(replies.filter((m) => text(m).includes('Triage report'))).toHaveLength(1);
    const keys = (await wk.runtime.store.chat.messagesOf(await incidentOf(card))).map((m) => m.ts);
    expect(new Set(keys).size).toBe(keys.length);
  }, 120_000);

  it('follow-up questions from the modal and from a mention are answered in the thread', async () => {
    const card = topLevel(wk.slack, routed).at(-1);
    if (!card) throw new Error('no card');
    const incidentId = await incidentOf(card);
    await wk.client.interaction(
      clickPayload('U0ANYONE', card, { action_id: actionIds.askFollowUp, value: incidentId }),
    );
    await until('the modal opens', () => wk.slack.calls.some((c) => c.method === 'views.open'));
    const opened = wk.slack.calls.find((c) => c.method === 'views.open');
    expect(opened?.args.view).toMatchObject({ callback_id: 'wk_ask_view', private_metadata: incidentId });

    const question = 'Why does checkout need DATABASE_URL <!channel>?';
    const submitted = await wk.client.interaction({
      type: 'view_submission',
      team: { id: 'T0001', domain: 'emulated' },
      user: { id: 'U0ANYONE', username: 'anyone', team_id: 'T0001' },
      api_app_id: 'A0001',
      token: 'legacy',
      trigger_id: 'trigger-view',
      view: {
        id: 'V0ASK',
        hash: 'h1',
        team_id: 'T0001',
        type: 'modal',
        callback_id: 'wk_ask_view',
        private_metadata: incidentId,
        state: {
          values: { wk_question: { wk_question_text: { type: 'plain_text_input', value: question } } },
        },
      },
    });
    expect(submitted.status).toBe(200);
    await until(
      'the answer is in the thread',
      () => wk.slack.thread(routed, card.ts).some((m) => text(m).includes('*Answer* to')),
      60_000,
    );
    const thread = wk.slack.thread(routed, card.ts);
    expect(
      thread.some((m) =>
        text(m).includes('<@U0ANYONE> asked: `Why does checkout need DATABASE_URL &lt;!channel&gt;?`'),
      ),
    ).toBe(true);
    const runs = await wk.runtime.store.runs.listByIncident(asIncidentId(incidentId));
    expect(runs.find((run) => run.purpose === 'follow_up')).toMatchObject({ question, status: 'succeeded' });

    await wk.client.event({
      token: 'legacy',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: 'Ev0MENTION',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_mention',
        user: 'U0ANYONE',
        text: '<@U0BOT> did the last deploy change the limits?',
        ts: `${Date.now() / 1000}`,
        channel: routed,
        thread_ts: card.ts,
        event_ts: `${Date.now() / 1000}`,
      },
    });
    await until(
      'the second answer is in the thread',
      () => wk.slack.thread(routed, card.ts).filter((m) => text(m).includes('*Answer* to')).length === 2,
      60_000,
    );
    const asked = (await wk.runtime.store.runs.listByIncident(asIncidentId(incidentId))).filter(
      (run) => run.purpose === 'follow_up',
    );
    expect(asked.map((run) => run.question)).toContain('did the last deploy change the limits?');
  }, 150_000);

  it('a workspace without the streaming API gets the progress of a rerun by edits', async () => {
    wk.slack.streaming = false;
    const card = topLevel(wk.slack, routed).at(-1);
    if (!card) throw new Error('no card');
    const before = wk.slack.thread(routed, card.ts).length;
    await wk.client.interaction(
      clickPayload('U0ANYONE', card, { action_id: actionIds.rerun, value: await incidentOf(card) }),
    );
    const edited = () =>
      wk.slack
        .thread(routed, card.ts)
        .slice(before)
        .find((m) => m.stream === undefined && text(m).includes('Triage* by `slow`'));
    await until('the rerun shows its end by edits', () => text(edited()).includes('finished'), 60_000);
    expect(edited()?.edits).toBeGreaterThan(0);
  }, 90_000);

  it('Resolve while an agent works stops it within 2 s, and the card and the progress reply say who cancelled it', async () => {
    const card = topLevel(wk.slack, routed).at(-1);
    if (!card) throw new Error('no card');
    const incidentId = asIncidentId(await incidentOf(card));
    const before = wk.slack.thread(routed, card.ts).length;
    await wk.client.interaction(
      clickPayload('U0ANYONE', card, { action_id: actionIds.rerun, value: incidentId }),
    );
    const progress = () =>
      wk.slack
        .thread(routed, card.ts)
        .slice(before)
        .find((m) => text(m).includes('Triage* by `slow`'));
    await until('the rerun shows a few steps', () => /[3-9] steps?/.test(text(progress())), 30_000);
    const run = (await wk.runtime.store.runs.listByIncident(incidentId)).at(-1);
    if (run?.status !== 'running') throw new Error(`no running run: ${JSON.stringify(run)}`);
    expect(await processesOfRun(run.id)).not.toEqual([]);

    const resolvedAt = Date.now();
    await wk.client.interaction(
      clickPayload('U0OPS', card, { action_id: actionIds.resolve, value: incidentId }),
    );
    await until(
      'no process of the run remains',
      async () => (await processesOfRun(run.id)).length === 0,
      10_000,
      20,
    );
    expect(Date.now() - resolvedAt).toBeLessThan(2_000);
    await until('the card says who cancelled the run', () =>
      text(card).includes('Triage by `slow` cancelled by <@U0OPS>'),
    );
    await until('the progress reply says it was cancelled', () =>
      text(progress()).includes(':octagonal_sign: cancelled by <@U0OPS>'),
    );
    expect(await wk.runtime.store.runs.get(run.id)).toMatchObject({
      status: 'cancelled',
      cancellation: { by: { kind: 'user', userId: 'U0OPS' } },
    });
    expect(text(card)).toContain('resolved');
  }, 90_000);

  it('forged signatures and requests older than five minutes are refused with 401', async () => {
    const body = { command: '/triage', text: 'help', user_id: 'U0ANYONE', trigger_id: 't-forged' };
    expect((await wk.client.command(body, { secret: 'not-the-secret' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await wk.client.command(body, { timestamp: stale })).status).toBe(401);
    expect((await wk.client.command(body)).status).toBe(200);
  });

  async function incidentOf(card: EmulatedMessage): Promise<string> {
    const message = await wk.runtime.store.chat.messageAt(card.channel, card.ts);
    if (!message?.incidentId) throw new Error(`no incident for ${card.ts}`);
    return message.incidentId;
  }
});
