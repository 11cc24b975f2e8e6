/**
 * Live progress with Slack's streaming API (chat.startStream / appendStream / stopStream) for runs a person asked
 * for: Slack requires a recipient for streams outside DMs, so alert-triggered runs use edits instead. Any refusal
 * from the workspace (method unknown, not allowed) turns streaming off for the process and the caller falls back
 * to editing the message. A stream left open by a restart is stopped with the current timeline and then edited.
 */
import type { WebClient } from '@slack/web-api';
import type { ThreadRef } from '../../core/domain/incident.ts';
import type { ProgressEvent } from '../../core/domain/progress.ts';
import type { TriageRun } from '../../core/domain/run.ts';
import type { ChatRepository } from '../../core/ports/chat-repository.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { SlackMessage } from './render/message.ts';
import { progressChunks } from './render/progress-chunks.ts';
import { slackRefusal } from './slack-errors.ts';
import type { SendQueue } from './send-queue.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface ProgressStreams {
  /**
   * Shows the run's progress in its streamed message. False when it cannot (streaming off or refused, no
   * recipient, or a message this process did not stream): the caller edits the message instead.
   */
  show(input: {
    readonly run: TriageRun;
    readonly events: readonly ProgressEvent[];
    readonly thread: ThreadRef;
    /** The person who asked for the run. */
    readonly recipient: string | undefined;
    /** The timeline as blocks: what the message shows once the stream stops. */
    readonly timeline: SlackMessage;
    readonly key: string;
  }): Promise<boolean>;
}

interface Session {
  readonly channel: string;
  readonly ts: string;
  lastSeq: number;
  stopped: boolean;
}

export function createProgressStreams(deps: {
  readonly enabled: boolean;
  readonly client: WebClient;
  readonly chat: ChatRepository;
  readonly queue: SendQueue;
  readonly teamId: string | undefined;
  readonly logger: Logger;
}): ProgressStreams {
  const { client, chat, queue, logger } = deps;
  let supported = deps.enabled && deps.teamId !== undefined;
  const sessions = new Map<string, Session>();
  const streamKey = (key: string) => `${key}:stream`;
  const stoppedKey = (key: string) => `${key}:stream-stopped`;

  async function stop(session: Session, key: string, incidentId: string, timeline: SlackMessage) {
    await client.chat.stopStream({ channel: session.channel, ts: session.ts, blocks: [...timeline.blocks] });
    session.stopped = true;
    await chat.saveMessage({
      key: stoppedKey(key),
      incidentId,
      channel: session.channel,
      ts: session.ts,
      createdAt: new Date(),
    });
  }

  return {
    async show({ run, events, thread, recipient, timeline, key }) {
      const ended =
        events.some((e) => e.type === 'run.finished') ||
        ['succeeded', 'failed', 'cancelled'].includes(run.status);
      const session = sessions.get(run.id);
      if (!session) {
        const posted = await chat.message(key);
        if (posted) {
          // streamed before a restart and never stopped: stop it with the timeline, then edits take over
          if ((await chat.message(streamKey(key))) && !(await chat.message(stoppedKey(key)))) {
            await queue
              .run(posted.channel, run.incidentId, () =>
                stop(
                  { channel: posted.channel, ts: posted.ts, lastSeq: 0, stopped: false },
                  key,
                  run.incidentId,
                  timeline,
                ),
              )
              .catch((error: unknown) =>
                logger.info({ err: error, runId: run.id }, 'could not stop a stream left by a restart'),
              );
          }
          return false;
        }
        if (!supported || recipient === undefined || deps.teamId === undefined) {
          logger.debug(
            { runId: run.id, supported, recipient, teamId: deps.teamId },
            'progress shown by edits',
          );
          return false;
        }
        const teamId = deps.teamId;
        return queue.run(
          thread.channel,
          run.incidentId,
          async () => {
            try {
              const started = await client.chat.startStream({
                channel: thread.channel,
                thread_ts: thread.ts,
                recipient_team_id: teamId,
                recipient_user_id: recipient,
                task_display_mode: 'timeline',
                markdown_text: timeline.text,
                chunks: progressChunks(events),
              });
              if (!started.ts)
                throw new WatchkeeperError('unexpected_answer', 'chat.startStream returned no timestamp');
              const fresh: Session = {
                channel: thread.channel,
                ts: started.ts,
                lastSeq: lastSeq(events),
                stopped: false,
              };
              if (sessions.size > 5_000) sessions.clear(); // a forgotten session falls back to edits
              sessions.set(run.id, fresh);
              const saved = {
                incidentId: run.incidentId,
                channel: thread.channel,
                ts: started.ts,
                createdAt: new Date(),
              };
              await chat.saveMessage({ key, ...saved });
              await chat.saveMessage({ key: streamKey(key), ...saved });
              if (ended) await stop(fresh, key, run.incidentId, timeline);
              return true;
            } catch (error) {
              const refused = slackRefusal(error);
              if (refused === undefined) throw error;
              supported = false;
              logger.info(
                { refused },
                `Slack refused streaming (${refused}); progress is shown by editing messages`,
              );
              return false;
            }
          },
          { urgent: false },
        );
      }
      if (session.stopped) return true;
      const chunks = progressChunks(events, session.lastSeq);
      await queue.run(
        session.channel,
        run.incidentId,
        async () => {
          if (chunks.length > 0)
            await client.chat.appendStream({ channel: session.channel, ts: session.ts, chunks });
          session.lastSeq = lastSeq(events);
          if (ended) {
            await stop(session, key, run.incidentId, timeline);
            sessions.delete(run.id);
            sessions.set(run.id, session);
          }
        },
        { urgent: false },
      );
      return true;
    },
  };
}

function lastSeq(events: readonly ProgressEvent[]): number {
  return events.reduce((max, event) => Math.max(max, event.seq), 0);
}
