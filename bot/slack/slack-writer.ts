/**
 * Posts and edits Watchkeeper's messages idempotently: each message has a key, the first write posts it and
 * records where it went, every later write (in this process or after a restart) edits that same message.
 */
import type { WebClient } from '@slack/web-api';
import type { ThreadRef } from '../../core/domain/incident.ts';
import type { ChatRepository } from '../../core/ports/chat-repository.ts';
import type { SlackMessage } from './render/message.ts';
import type { SendQueue } from './send-queue.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';

export interface MessageTarget {
  readonly channel: string;
  /** Reply in this thread; absent for an incident's parent message. */
  readonly threadTs?: string;
  readonly incidentId?: string;
}

export interface SlackWriter {
  /**
   * Posts `message` under `key` the first time; afterwards edits it when `edit` is true (the default).
   * `routine` writes (progress) wait for the incident's call budget; the others go first.
   */
  put(
    key: string,
    target: MessageTarget,
    message: SlackMessage,
    options?: { readonly edit?: boolean; readonly routine?: boolean },
  ): Promise<ThreadRef>;
  posted(key: string): Promise<ThreadRef | undefined>;
}

export function createSlackWriter(deps: {
  readonly client: WebClient;
  readonly chat: ChatRepository;
  readonly queue: SendQueue;
}): SlackWriter {
  const { client, chat, queue } = deps;
  /** What each message shows now, so an edit that would change nothing is not sent. */
  const shown = new Map<string, string>();
  const remember = (key: string, body: string) => {
    if (shown.size > 20_000) shown.clear();
    shown.set(key, body);
  };
  return {
    async put(key, target, message, options = {}) {
      const body = JSON.stringify(message);
      const known = shown.get(key) === body ? await chat.message(key) : undefined;
      if (known) return { channel: known.channel, ts: known.ts };
      const urgent = options.routine !== true;
      return queue.run(
        target.channel,
        target.incidentId,
        async () => {
          const existing = await chat.message(key);
          if (existing) {
            if (options.edit !== false && shown.get(key) !== body)
              await client.chat.update({
                channel: existing.channel,
                ts: existing.ts,
                text: message.text,
                ...(message.blocks.length > 0 && { blocks: [...message.blocks] }),
              });
            remember(key, body);
            return { channel: existing.channel, ts: existing.ts };
          }
          const posted = await client.chat.postMessage({
            channel: target.channel,
            ...(target.threadTs !== undefined && { thread_ts: target.threadTs }),
            text: message.text,
            ...(message.blocks.length > 0 && { blocks: [...message.blocks] }),
            unfurl_links: false,
            unfurl_media: false,
          });
          if (!posted.ts || !posted.channel)
            throw new WatchkeeperError(
              'unexpected_answer',
              `Slack accepted ${key} but returned no timestamp`,
            );
          const saved = await chat.saveMessage({
            key,
            ...(target.incidentId !== undefined && { incidentId: target.incidentId }),
            channel: posted.channel,
            ts: posted.ts,
            createdAt: new Date(),
          });
          remember(key, body);
          return { channel: saved.channel, ts: saved.ts };
        },
        { urgent },
      );
    },
    async posted(key) {
      const message = await chat.message(key);
      return message && { channel: message.channel, ts: message.ts };
    },
  };
}
