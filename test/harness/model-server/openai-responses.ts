/** The OpenAI Responses API (Codex): `POST /v1/responses`, streamed as server-sent events. */
import type { ServerResponse } from 'node:http';
import type { ModelTurn, OfferedTool } from './script.ts';
import { sendEvent, startSse, usage } from './sse.ts';

interface ResponsesTool {
  readonly type?: string;
  readonly name?: string;
  readonly tools?: readonly ResponsesTool[];
}
interface ResponsesRequest {
  readonly model?: string;
  readonly tools?: readonly ResponsesTool[];
  readonly input?: readonly { readonly type?: string; readonly output?: unknown }[];
}

export function readResponses(body: ResponsesRequest) {
  const offered: OfferedTool[] = [];
  for (const tool of body.tools ?? []) {
    if (tool.type === 'namespace' && tool.name) {
      for (const inner of tool.tools ?? [])
        if (inner.name) offered.push({ name: inner.name, namespace: tool.name });
    } else if (tool.name) offered.push({ name: tool.name });
  }
  const input: readonly { readonly type?: string; readonly output?: unknown }[] = Array.isArray(body.input)
    ? body.input
    : [];
  const results = input
    .filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    .map((item) => JSON.stringify(item.output ?? ''));
  return { model: body.model ?? 'scripted', offered, results };
}

export function writeResponses(response: ServerResponse, turn: ModelTurn, model: string, id: number): void {
  const item =
    turn.kind === 'tool'
      ? {
          type: 'function_call',
          id: `fc_${id}`,
          call_id: `call_${id}`,
          name: turn.name,
          ...(turn.namespace && { namespace: turn.namespace }),
          arguments: JSON.stringify(turn.input),
          status: 'completed',
        }
      : {
          type: 'message',
          id: `msg_${id}`,
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: turn.text, annotations: [] }],
        };
  const base = { id: `resp_${id}`, object: 'response', created_at: Math.floor(Date.now() / 1000), model };
  startSse(response);
  sendEvent(response, { type: 'response.created', response: { ...base, status: 'in_progress', output: [] } });
  sendEvent(response, {
    type: 'response.output_item.added',
    output_index: 0,
    item: turn.kind === 'tool' ? { ...item, arguments: '' } : { ...item, content: [] },
  });
  if (turn.kind === 'text') {
    sendEvent(response, {
      type: 'response.output_text.delta',
      item_id: `msg_${id}`,
      output_index: 0,
      content_index: 0,
      delta: turn.text,
    });
  }
  sendEvent(response, { type: 'response.output_item.done', output_index: 0, item });
  sendEvent(response, {
    type: 'response.completed',
    response: {
      ...base,
      status: 'completed',
      output: [item],
      usage: {
        input_tokens: usage.input,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: usage.output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.input + usage.output,
      },
    },
  });
  response.end();
}
