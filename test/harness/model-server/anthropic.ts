/** The Anthropic Messages API (Claude Code): `POST /v1/messages`, streamed as server-sent events. */
import type { ServerResponse } from 'node:http';
import type { ModelTurn, OfferedTool } from './script.ts';
import { sendEvent, startSse, usage } from './sse.ts';

interface MessagesRequest {
  readonly model?: string;
  readonly stream?: boolean;
  readonly tools?: readonly { readonly name: string }[];
  readonly messages?: readonly { readonly role: string; readonly content: unknown }[];
}

export function readAnthropic(body: MessagesRequest) {
  const results: string[] = [];
  for (const message of body.messages ?? []) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as { type?: string; content?: unknown }[]) {
      if (block.type === 'tool_result') results.push(JSON.stringify(block.content ?? ''));
    }
  }
  const offered: OfferedTool[] = (body.tools ?? [])
    .filter((tool) => typeof tool.name === 'string')
    .map((tool) => ({ name: tool.name }));
  return { model: body.model ?? 'scripted', offered, results, stream: body.stream !== false };
}

export function writeAnthropic(
  response: ServerResponse,
  turn: ModelTurn,
  model: string,
  stream: boolean,
  id: number,
): void {
  const block =
    turn.kind === 'tool'
      ? { type: 'tool_use', id: `toolu_${id}`, name: turn.name, input: turn.input }
      : { type: 'text', text: turn.text };
  const stopReason = turn.kind === 'tool' ? 'tool_use' : 'end_turn';
  if (!stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [block],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: usage.input, output_tokens: usage.output },
      }),
    );
    return;
  }
  startSse(response);
  sendEvent(
    response,
    {
      type: 'message_start',
      message: {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input, output_tokens: 1 },
      },
    },
    'message_start',
  );
  if (block.type === 'tool_use') {
    sendEvent(
      response,
      { type: 'content_block_start', index: 0, content_block: { ...block, input: {} } },
      'content_block_start',
    );
    sendEvent(
      response,
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      },
      'content_block_delta',
    );
  } else {
    sendEvent(
      response,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    );
    sendEvent(
      response,
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: block.text } },
      'content_block_delta',
    );
  }
  sendEvent(response, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  sendEvent(
    response,
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output },
    },
    'message_delta',
  );
  sendEvent(response, { type: 'message_stop' }, 'message_stop');
  response.end();
}
