/**
 * A local Slack Web API for tests: answers the methods Watchkeeper calls the way Slack does (ok/error bodies,
 * message timestamps, threads, Block Kit limits), records every call, and can be told to answer a method with
 * 429 + Retry-After or a 5xx a number of times. Point @slack/web-api at it with `slackApiUrl: emulator.apiUrl`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBlocks } from './block-limits.ts';
import { attachSocketModeLink, type SocketModeLink } from './socket-mode-link.ts';

export interface RecordedCall {
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The HTTP status answered (200, or an injected 429/5xx). */
  readonly status: number;
  /** The body answered with status 200 (e.g. the `ts` of a posted message). */
  body?: Readonly<Record<string, unknown>>;
  readonly at: number;
}

export interface EmulatedMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  text: string;
  blocks: unknown[];
  edits: number;
  /** Every text the message has shown, with when (ms since the epoch): the post, then each edit. */
  readonly versions: { readonly at: number; readonly text: string }[];
  /** Set for a message made with chat.startStream: its chunks so far, and whether it was stopped. */
  stream?: {
    readonly recipient: string;
    readonly markdown: unknown;
    readonly chunks: unknown[];
    stopped: boolean;
  };
}

interface Fault {
  remaining: number;
  readonly status: number;
  readonly retryAfterSeconds?: number;
}

/** What Bolt sent to a slash command's or an action's `response_url`. */
export interface RecordedResponse {
  readonly id: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface SlackApiEmulator {
  /** `http://127.0.0.1:<port>/api/` */
  readonly apiUrl: string;
  /** A fresh `response_url` for a request; what is posted to it lands in `responses`. */
  responseUrl(): string;
  readonly responses: RecordedResponse[];
  /** User group id → member user ids, answered by `usergroups.users.list`. */
  readonly userGroups: Map<string, string[]>;
  /** Whether the workspace offers chat.startStream and friends (default true); false answers `unknown_method`. */
  streaming: boolean;
  /** Channels the bot was never invited to: posting there answers `not_in_channel`. */
  readonly notInChannel: Set<string>;
  /** The app-level token `apps.connections.open` accepts. */
  readonly appToken: string;
  /** Slack's end of Socket Mode: deliver envelopes to the connected app. */
  readonly socketMode: SocketModeLink;
  readonly token: string;
  readonly calls: RecordedCall[];
  readonly messages: EmulatedMessage[];
  /** The next `times` calls of `method` get 429 with `Retry-After: seconds`. */
  rateLimit(method: string, times: number, seconds: number): void;
  /** The next `times` calls of `method` get this 5xx status. */
  failWith(method: string, times: number, status: number): void;
  /** A thread's parent and replies, oldest first. */
  thread(channel: string, ts: string): EmulatedMessage[];
  close(): Promise<void>;
}

async function readArgs(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if ((request.headers['content-type'] ?? '').includes('application/json'))
    return body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    // @slack/web-api form-encodes arrays and objects as JSON strings
    args[key] = /^[[{]/.test(value) ? parseOr(value) : value;
  }
  return args;
}

/** What a streamed message shows: the latest status of each task, in the order tasks appeared. */
function streamText(chunks: readonly unknown[], markdown: unknown): string {
  const tasks = new Map<string, string>();
  for (const chunk of chunks as { type?: string; id?: string; title?: string; status?: string }[])
    if (chunk.type === 'task_update' && chunk.id)
      tasks.set(chunk.id, `${chunk.status ?? ''} ${chunk.title ?? ''}`);
  return [typeof markdown === 'string' ? markdown : '', ...tasks.values()].filter(Boolean).join('\n');
}

/** A form value that looks like JSON may still be plain text (a message starting with `[high]`). */
function parseOr(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export async function startSlackApiEmulator(
  token = 'xoxb-test-token',
  appToken = 'xapp-test-token',
): Promise<SlackApiEmulator> {
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const userGroups = new Map<string, string[]>();
  const notInChannel = new Set<string>();
  let responseIds = 0;
  const messages: EmulatedMessage[] = [];
  const faults = new Map<string, Fault[]>();
  let clock = 1_700_000_000;
  const nextTs = () => `${clock++}.${String(messages.length).padStart(6, '0')}`;

  const find = (channel: unknown, ts: unknown) =>
    messages.find((message) => message.channel === channel && message.ts === ts);

  function answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const blocks = Array.isArray(args.blocks) ? args.blocks : [];
    const blockProblem = checkBlocks(blocks);
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://emulated.slack.com/',
          team: 'Emulated',
          user: 'watchkeeper',
          team_id: 'T0001',
          user_id: 'U0BOT',
          bot_id: 'B0001',
        };
      case 'chat.postMessage': {
        if (typeof args.channel !== 'string') return { ok: false, error: 'channel_not_found' };
        if (notInChannel.has(args.channel)) return { ok: false, error: 'not_in_channel' };
        if (blockProblem) return { ok: false, error: 'invalid_blocks', errors: [blockProblem] };
        if (typeof args.text !== 'string' && blocks.length === 0) return { ok: false, error: 'no_text' };
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        if (threadTs && !find(args.channel, threadTs)) return { ok: false, error: 'thread_not_found' };
        const message: EmulatedMessage = {
          channel: args.channel,
          ts: nextTs(),
          ...(threadTs && { threadTs }),
          text: typeof args.text === 'string' ? args.text : '',
          blocks,
          edits: 0,
          versions: [],
        };
        message.versions.push({ at: Date.now(), text: message.text });
        messages.push(message);
        return {
          ok: true,
          channel: message.channel,
          ts: message.ts,
          message: { text: message.text, ts: message.ts },
        };
      }
      case 'chat.update': {
        const message = find(args.channel, args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        if (blockProblem) return { ok: false, error: 'invalid_blocks', errors: [blockProblem] };
        if (typeof args.text === 'string') message.text = args.text;
        if (Array.isArray(args.blocks)) message.blocks = blocks;
        message.edits += 1;
        message.versions.push({ at: Date.now(), text: message.text });
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral':
        if (typeof args.user !== 'string') return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      case 'chat.startStream': {
        if (!emulator.streaming) return { ok: false, error: 'unknown_method' };
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        if (!threadTs || !find(args.channel, threadTs)) return { ok: false, error: 'thread_not_found' };
        if (/^[CG]/.test(String(args.channel)) && (!args.recipient_user_id || !args.recipient_team_id))
          return { ok: false, error: 'invalid_arguments' };
        const chunks = Array.isArray(args.chunks) ? args.chunks : [];
        const message: EmulatedMessage = {
          channel: String(args.channel),
          ts: nextTs(),
          threadTs,
          text: streamText(chunks, args.markdown_text),
          blocks: [],
          edits: 0,
          versions: [],
          stream: {
            recipient: String(args.recipient_user_id),
            markdown: args.markdown_text,
            chunks,
            stopped: false,
          },
        };
        message.versions.push({ at: Date.now(), text: message.text });
        messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const message = find(args.channel, args.ts);
        if (!message?.stream) return { ok: false, error: 'message_not_found' };
        if (message.stream.stopped) return { ok: false, error: 'message_not_in_streaming_state' };
        if (blockProblem) return { ok: false, error: 'invalid_blocks', errors: [blockProblem] };
        if (Array.isArray(args.chunks)) message.stream.chunks.push(...(args.chunks as unknown[]));
        message.text = streamText(message.stream.chunks, message.stream.markdown);
        if (method === 'chat.stopStream') {
          message.stream.stopped = true;
          if (Array.isArray(args.blocks)) message.blocks = blocks;
        }
        message.edits += 1;
        message.versions.push({ at: Date.now(), text: message.text });
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'usergroups.users.list': {
        const users = userGroups.get(String(args.usergroup));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.open':
        return { ok: true, view: { id: `V${calls.length}`, ...(args.view as object) } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if ((request.url ?? '').startsWith('/respond/')) {
      const args = await readArgs(request);
      responses.push({ id: (request.url ?? '').slice('/respond/'.length), body: args });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true }));
      return;
    }
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = await readArgs(request);
    const fault = faults.get(method)?.find((candidate) => candidate.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      calls.push({ method, args, status: fault.status, at: Date.now() });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      response.writeHead(fault.status, headers);
      response.end(
        JSON.stringify({ ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' }),
      );
      return;
    }
    const call: RecordedCall = { method, args, status: 200, at: Date.now() };
    calls.push(call);
    if (method === 'apps.connections.open') {
      const opened = request.headers.authorization === `Bearer ${appToken}`;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(opened ? { ok: true, url: link.url() } : { ok: false, error: 'invalid_auth' }),
      );
      return;
    }
    const authorized = request.headers.authorization === `Bearer ${token}` || args.token === token;
    response.writeHead(200, { 'content-type': 'application/json' });
    call.body = authorized ? answer(method, args) : { ok: false, error: 'invalid_auth' };
    response.end(JSON.stringify(call.body));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: false, error: String(error) }));
    });
  });
  const link = attachSocketModeLink(server, () => (server.address() as AddressInfo).port);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const inject = (method: string, fault: Fault) => faults.set(method, [...(faults.get(method) ?? []), fault]);
  const emulator: SlackApiEmulator = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    streaming: true,
    notInChannel,
    appToken,
    socketMode: link,
    responseUrl: () => `http://127.0.0.1:${port}/respond/${(responseIds += 1)}`,
    responses,
    userGroups,
    token,
    calls,
    messages,
    rateLimit: (method, times, seconds) =>
      inject(method, { remaining: times, status: 429, retryAfterSeconds: seconds }),
    failWith: (method, times, status) => inject(method, { remaining: times, status }),
    thread: (channel, ts) =>
      messages.filter(
        (message) => message.channel === channel && (message.ts === ts || message.threadTs === ts),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        link.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return emulator;
}
