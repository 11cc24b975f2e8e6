/** The OpenAI Chat Completions API (Goose): `POST /v1/chat/completions`, streamed as server-sent events. */
import type { ServerResponse } from 'node:http';
import type { ModelTurn, OfferedTool } from './script.ts';
import { sendEvent, startSse, usage } from './sse.ts';

interface ChatRequest {
  readonly model?: string;
  readonly stream?: boolean;
  readonly tools?: readonly { readonly function?: { readonly name?: string } }[];
  readonly messages?: readonly { readonly role?: string; readonly content?: unknown }[];
}

export function readChat(body: ChatRequest) {
  const offered: OfferedTool[] = (body.tools ?? []).flatMap((tool) =>
    tool.function?.name ? [{ name: tool.function.name }] : [],
  );
  const results = (body.messages ?? [])
    .filter((message) => message.role === 'tool')
    .map((message) => JSON.stringify(message.content ?? ''));
  return { model: body.model ?? 'scripted', offered, results, stream: body.stream !== false };
}

export function writeChat(
  response: ServerResponse,
  turn: ModelTurn,
  model: string,
  stream: boolean,
  id: number,
): void {
  const base = { id: `chatcmpl-${id}`, created: Math.floor(Date.now() / 1000), model };
  const toolCall =
    turn.kind === 'tool'
      ? {
          index: 0,
          id: `call_${id}`,
          type: 'function',
          function: { name: turn.name, arguments: JSON.stringify(turn.input) },
        }
      : undefined;
  const finish = toolCall ? 'tool_calls' : 'stop';
  const usageBody = {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
  };
  if (!stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            finish_reason: finish,
            message: {
              role: 'assistant',
              content: turn.kind === 'text' ? turn.text : null,
              ...(toolCall && { tool_calls: [toolCall] }),
            },
          },
        ],
        usage: usageBody,
      }),
    );
    return;
  }
  startSse(response);
  const chunk = (choices: unknown[], extra: object = {}) =>
    sendEvent(response, { ...base, object: 'chat.completion.chunk', choices, ...extra });
  chunk([
    {
      index: 0,
      delta: {
        role: 'assistant',
        ...(toolCall ? { tool_calls: [toolCall] } : { content: turn.kind === 'text' ? turn.text : '' }),
      },
      finish_reason: null,
    },
  ]);
  chunk([{ index: 0, delta: {}, finish_reason: finish }]);
  chunk([], { usage: usageBody });
  sendEvent(response, '[DONE]');
  response.end();
}
