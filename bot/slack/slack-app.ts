/**
 * The Bolt app: Slack's requests (Socket Mode or signed HTTP) come in here and become incident actions.
 * Every handler acks within Slack's 3 s, checks who is asking, treats a repeated delivery as done, and
 * answers problems ephemerally with what to do next.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { asIncidentId } from '../../core/domain/ids.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { ChatRepository } from '../../core/ports/chat-repository.ts';
import type { SlackConfig } from '../config/config.ts';
import type { SlackAction } from '../config/slack-schema.ts';
import { actionIds, askInput, muteDurations, viewIds } from './action-ids.ts';
import { createAuthorizer, type Authorizer } from './authorize.ts';
import { boltLogger } from './bolt-logger.ts';
import type { IncidentActions } from './incident-actions.ts';
import type { IncidentThreads } from './incident-threads.ts';
import { parseTriageCommand, triageUsage } from './parse-triage-command.ts';
import { codeText, escapeBounded, truncate } from './render/escape.ts';
import { permalink } from './render/message.ts';
import { staleTimestamp } from './request-freshness.ts';
import { parseActionValue, type ActionValueRule } from './action-values.ts';
import { describeIncidents, describeIncident } from './render/incident-list.ts';
import type { Metrics } from '../../core/ports/metrics.ts';
import { meteredSlackFetch } from './metered-fetch.ts';
import { slackClientRetries } from '../../core/domain/retry-policies.ts';

export interface SlackApp {
  readonly client: WebClient;
  /** slack.access checks and user-group membership (one cache for every check, remediation approvers too). */
  readonly authorizer: Authorizer;
  /** HTTP mode: serves Slack's requests at /slack/events (signature and timestamp checked). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackAppDeps {
  readonly slack: SlackConfig;
  readonly actions: IncidentActions;
  /** Set once the thread service exists (it needs this app's client). */
  readonly threads: () => IncidentThreads;
  readonly chat: ChatRepository;
  readonly logger: Logger;
  /** Every Web API request is counted here, when metrics are on. */
  readonly metrics?: Metrics;
}

export const slackEventsPath = '/slack/events';
const maxQuestion = 2_000;

export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { slack, actions, logger } = deps;
  const log = boltLogger(logger);
  const clientOptions = {
    ...(slack.apiUrl !== undefined && { slackApiUrl: slack.apiUrl }),
    // the client owns Slack retries (429s wait out their Retry-After); the curve is in retry-policies.ts
    retryConfig: { ...slackClientRetries },
    ...(deps.metrics && { fetch: meteredSlackFetch(deps.metrics) }),
  };
  const receiver =
    slack.mode === 'http'
      ? new HTTPReceiver({
          signingSecret: slack.signingSecret?.reveal() ?? '',
          endpoints: slackEventsPath,
          logger: log,
          processBeforeResponse: false,
        })
      : undefined;
  const app = new App({
    token: slack.botToken.reveal(),
    logger: log,
    clientOptions,
    ...(receiver ? { receiver } : { socketMode: true, appToken: slack.appToken?.reveal() ?? '' }),
  });
  const authorizer = createAuthorizer(slack.access, app.client);

  /** False when this delivery was handled before (Slack retried it, or a double click). */
  const first = (id: string) => deps.chat.firstDelivery(id, new Date());

  async function allowed(userId: string, action: SlackAction): Promise<boolean> {
    return authorizer.may(userId, action).catch((error: unknown) => {
      logger.warn({ err: error, userId, action }, 'could not check Slack user group membership; refusing');
      return false;
    });
  }

  const refusal = (action: SlackAction) =>
    `:no_entry: You are not allowed to ${action} incidents here; ask a Watchkeeper admin to add you to slack.access.${action}.`;

  /** An ephemeral reply to the user, in the thread they acted in. */
  async function tell(
    client: WebClient,
    where: { channel?: string; threadTs?: string; user: string },
    text: string,
  ): Promise<void> {
    if (!where.channel) return;
    await client.chat
      .postEphemeral({
        channel: where.channel,
        user: where.user,
        text,
        ...(where.threadTs !== undefined && { thread_ts: where.threadTs }),
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not send an ephemeral reply'));
  }

  /** A public note in the incident's thread saying who did what. */
  async function note(incidentId: string | undefined, text: string): Promise<void> {
    if (!incidentId) return;
    await deps
      .threads()
      .postNote(asIncidentId(incidentId), text)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not post a note in the thread'));
  }

  app.command('/triage', async ({ command, ack, respond }) => {
    const parsed = parseTriageCommand(command.text);
    const ephemeral = (text: string) => ack({ response_type: 'ephemeral', text });
    switch (parsed.type) {
      case 'help':
        return ephemeral(triageUsage);
      case 'invalid':
        return ephemeral(`:warning: ${parsed.problem}\n${triageUsage}`);
      case 'list':
        return ephemeral(describeIncidents(await actions.list()));
      case 'status': {
        const incident = await actions.find(parsed.incidentId);
        return ephemeral(
          incident
            ? describeIncident(incident)
            : `There is no incident ${codeText(parsed.incidentId)}; \`/triage list\` shows the open ones.`,
        );
      }
      case 'triage': {
        if (!(await allowed(command.user_id, 'triage'))) return ephemeral(refusal('triage'));
        if (!(await first(`command:${command.trigger_id}`))) return ack();
        await ephemeral(
          `:hourglass_flowing_sand: Starting a triage of ${codeText(`${parsed.kind}/${parsed.namespace ? `${parsed.namespace}/` : ''}${parsed.name}`)}…`,
        );
        const result = await actions.startManual(parsed, command.user_id);
        let where = '';
        if (result.ok && result.incidentId) {
          const thread = await deps.threads().ensureThread(result.incidentId);
          if (thread) where = ` <${permalink(thread.channel, thread.ts)}|Open the thread>`;
        }
        await respond({
          response_type: 'ephemeral',
          text: `${result.ok ? ':white_check_mark:' : ':warning:'} ${result.message}${where}`,
        }).catch((error: unknown) => logger.warn({ err: error }, 'could not answer /triage'));
        return;
      }
    }
  });

  /**
   * One action at a time per incident in this process, so a double click's second delivery sees what the
   * first did (and the action itself finds it already done) instead of racing it.
   */
  const inFlight = new Map<string, Promise<unknown>>();
  function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = inFlight.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    inFlight.set(key, next);
    void next
      .finally(() => {
        if (inFlight.get(key) === next) inFlight.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  /**
   * Buttons and menus: the value is `<id>` or `<id>|<choice>`, checked against `rule` (values come from
   * whoever sends the request, not only from our own buttons). `permission` is the slack.access entry the
   * user needs; `undefined` when the action checks its own list (remediation approvers).
   */
  function onAction(
    actionId: string,
    permission: SlackAction | undefined,
    rule: ActionValueRule,
    perform: (input: {
      incidentId: string;
      choice: string | undefined;
      user: string;
      client: WebClient;
      triggerId: string;
    }) => Promise<{ reply?: string; note?: string; incidentId?: string } | undefined>,
  ): void {
    app.action(actionId, async ({ ack, body, action, client }) => {
      await ack();
      if (body.type !== 'block_actions') return;
      const raw: string | undefined =
        action.type === 'button'
          ? action.value
          : action.type === 'static_select'
            ? (action.selected_option as { value: string }).value
            : undefined;
      const threadTs = threadOf(body.message);
      const where = {
        user: body.user.id,
        ...(body.channel?.id !== undefined && { channel: body.channel.id }),
        ...(threadTs !== undefined && { threadTs }),
      };
      if (permission && !(await allowed(body.user.id, permission))) {
        await tell(client, where, refusal(permission));
        return;
      }
      const value = parseActionValue(raw, rule);
      if (!value.ok) {
        logger.warn(
          { actionId, userId: body.user.id, problem: value.problem },
          'refused a Slack action value',
        );
        await tell(
          client,
          where,
          `:warning: That action's value is not one Watchkeeper offers (${value.problem}).`,
        );
        return;
      }
      const { id: incidentId, choice } = value;
      const actionTs = 'action_ts' in action ? action.action_ts : body.trigger_id;
      if (!(await first(`action:${body.user.id}:${actionId}:${actionTs}`))) return;
      const outcome = await oneAtATime(incidentId, () =>
        perform({ incidentId, choice, user: body.user.id, client, triggerId: body.trigger_id }),
      );
      if (outcome?.reply) await tell(client, where, outcome.reply);
      if (outcome?.note) await note(outcome.incidentId ?? incidentId, outcome.note);
    });
  }

  const ran = (result: Awaited<ReturnType<IncidentActions['requestRun']>>, noteText: string) =>
    result.ok ? { note: noteText } : { reply: `:warning: ${result.message}` };

  onAction(actionIds.rerun, 'rerun', 'id', async ({ incidentId, user }) => {
    const previous = await actions.lastAgent(incidentId);
    const result = await actions.requestRun(incidentId, user, previous ? { agent: previous } : {});
    return ran(
      result,
      `:repeat: <@${user}> asked for a rerun${previous ? ` with ${codeText(previous)}` : ''}.`,
    );
  });

  onAction(actionIds.secondOpinion, 'rerun', 'id|name', async ({ incidentId, choice, user }) => {
    const result = await actions.requestRun(incidentId, user, {
      purpose: 'second_opinion',
      ...(choice !== undefined && { agent: choice }),
    });
    return ran(
      result,
      `:busts_in_silhouette: <@${user}> asked ${codeText(choice ?? 'the default agent')} for a second opinion.`,
    );
  });

  onAction(actionIds.resolve, 'resolve', 'id', async ({ incidentId, user }) => {
    const result = await actions.resolve(incidentId, user);
    return result.ok
      ? { note: `:large_green_circle: <@${user}> resolved the incident.` }
      : { reply: `:warning: ${result.message}` };
  });

  onAction(
    actionIds.mute,
    'mute',
    { choices: Object.keys(muteDurations) },
    async ({ incidentId, choice, user }) => {
      const result = await actions.mute(incidentId, user, choice ?? '');
      return result.ok ? { note: `:mute: ${result.message}` } : { reply: `:warning: ${result.message}` };
    },
  );

  onAction(actionIds.proposeRemediation, 'triage', 'id', async ({ incidentId, user }) => {
    const result = await actions.proposeRemediation(incidentId, user);
    if (!result.ok) return { reply: `:warning: ${result.message}` };
    return { note: `:wrench: <@${user}> asked for a remediation proposal.` };
  });

  /**
   * Approve and Deny: who may is decided by remediation.approvers alone, checked in the vote itself, so an
   * approver needs no slack.access entry.
   */
  for (const [actionId, decision] of [
    [actionIds.approveRemediation, 'approve'],
    [actionIds.denyRemediation, 'deny'],
  ] as const)
    onAction(actionId, undefined, 'id', async ({ incidentId: requestId, user }) => {
      const result = await actions.voteRemediation(requestId, user, decision);
      if (!result.ok) return { reply: result.message };
      // a first approval under the two-person rule changes no lifecycle state, so nothing else refreshes it
      if (result.incidentId) deps.threads().refreshRemediations(result.incidentId);
      return {
        note: `:ballot_box_with_check: <@${user}> ${decision === 'approve' ? 'approved' : 'denied'} the remediation (${result.message}).`,
        ...(result.incidentId && { incidentId: result.incidentId }),
      };
    });

  onAction(actionIds.askFollowUp, 'ask', 'id', async ({ incidentId, client, triggerId }) => {
    const incident = await actions.find(incidentId);
    if (!incident) return { reply: `:warning: There is no incident ${codeText(incidentId)}.` };
    await client.views.open({
      trigger_id: triggerId,
      view: {
        type: 'modal',
        callback_id: viewIds.askFollowUp,
        private_metadata: incident.id,
        title: { type: 'plain_text', text: 'Ask a follow-up' },
        submit: { type: 'plain_text', text: 'Ask' },
        close: { type: 'plain_text', text: 'Cancel' },
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `*${escapeBounded(incident.title, 200)}*\nAn agent investigates your question with the last report at hand; the answer comes in the thread.`,
            },
          },
          {
            type: 'input',
            block_id: askInput.block,
            label: { type: 'plain_text', text: 'Question' },
            element: {
              type: 'plain_text_input',
              action_id: askInput.action,
              multiline: true,
              max_length: maxQuestion,
              placeholder: { type: 'plain_text', text: 'Why did the memory limit change last week?' },
            },
          },
        ],
      },
    });
    return undefined;
  });

  app.view(viewIds.askFollowUp, async ({ ack, body, view }) => {
    const user = body.user.id;
    const question = (view.state.values[askInput.block]?.[askInput.action]?.value ?? '').trim();
    if (!(await allowed(user, 'ask')))
      return ack({
        response_action: 'errors',
        errors: { [askInput.block]: 'You are not allowed to ask follow-up questions here.' },
      });
    if (question === '' || question.length > maxQuestion)
      return ack({
        response_action: 'errors',
        errors: { [askInput.block]: `Ask a question of 1 to ${maxQuestion} characters.` },
      });
    if (!(await first(`view:${view.id}:${view.hash}`))) return ack();
    const result = await actions.requestRun(view.private_metadata, user, { purpose: 'follow_up', question });
    if (!result.ok)
      return ack({ response_action: 'errors', errors: { [askInput.block]: plain(result.message) } });
    await ack();
    await note(result.incidentId, `:speech_balloon: <@${user}> asked: ${codeText(question, 500)}`);
  });

  app.event('app_mention', async ({ event, body, client }) => {
    const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
    if (!(await first(`event:${eventId}`))) return;
    const user = event.user ?? '';
    const where = {
      channel: event.channel,
      user,
      ...(event.thread_ts !== undefined && { threadTs: event.thread_ts }),
    };
    const card = event.thread_ts ? await deps.chat.messageAt(event.channel, event.thread_ts) : undefined;
    if (!card?.incidentId || !card.key.startsWith('incident:')) {
      await tell(
        client,
        where,
        'Mention me inside an incident thread to ask a follow-up question, or use `/triage help`.',
      );
      return;
    }
    if (!(await allowed(user, 'ask'))) {
      await tell(client, where, refusal('ask'));
      return;
    }
    const question = event.text.replace(/<@[A-Z0-9]+>/g, '').trim();
    if (question === '') {
      await tell(
        client,
        where,
        'Ask a question after the mention, e.g. `@Watchkeeper did the last deploy change the limits?`',
      );
      return;
    }
    const result = await actions.requestRun(card.incidentId, user, {
      purpose: 'follow_up',
      question: truncate(question, maxQuestion),
    });
    await tell(
      client,
      where,
      result.ok
        ? `:speech_balloon: ${result.message} The answer comes in this thread.`
        : `:warning: ${result.message}`,
    );
  });

  app.error((error) => {
    logger.error({ err: error }, 'a Slack request failed');
    return Promise.resolve();
  });

  return {
    client: app.client,
    authorizer,
    handle(req, res) {
      if (!receiver) return Promise.resolve(false);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== slackEventsPath) return Promise.resolve(false);
      const stale = staleTimestamp(req);
      if (stale) {
        logger.warn({ reason: stale }, 'refused a Slack request outside the 5-minute window');
        req.resume();
        res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('refused: the request timestamp is more than 5 minutes off\n');
        return Promise.resolve(true);
      }
      receiver.requestListener(req, res);
      return Promise.resolve(true);
    },
    async start() {
      if (!receiver) await app.start();
    },
    async stop() {
      if (!receiver) await app.stop();
    },
  };
}

/** Modal errors are plain text: drop mrkdwn marks. */
function plain(text: string): string {
  return text.replace(/[`*_]/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The thread a clicked message is in (its own ts when it is the thread's parent). */
function threadOf(message: unknown): string | undefined {
  const fields = message as { thread_ts?: unknown; ts?: unknown } | undefined;
  const ts = fields?.thread_ts ?? fields?.ts;
  return typeof ts === 'string' ? ts : undefined;
}
