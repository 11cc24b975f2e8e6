/** The Gemini API (Gemini CLI): `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` and `:generateContent`. */
import type { ServerResponse } from 'node:http';
import type { ModelTurn, OfferedTool } from './script.ts';
import { sendEvent, startSse, usage } from './sse.ts';

interface GeminiRequest {
  readonly tools?: readonly { readonly functionDeclarations?: readonly { readonly name?: string }[] }[];
  readonly contents?: readonly { readonly parts?: readonly { readonly functionResponse?: unknown }[] }[];
}

export function readGemini(body: GeminiRequest) {
  const offered: OfferedTool[] = (body.tools ?? []).flatMap((tool) =>
    (tool.functionDeclarations ?? []).flatMap((declaration) =>
      declaration.name ? [{ name: declaration.name }] : [],
    ),
  );
  const results = (body.contents ?? []).flatMap((content) =>
    (content.parts ?? [])
      .filter((part) => part.functionResponse !== undefined)
      .map((part) => JSON.stringify(part.functionResponse)),
  );
  return { offered, results };
}

export function writeGemini(response: ServerResponse, turn: ModelTurn, stream: boolean): void {
  const part =
    turn.kind === 'tool' ? { functionCall: { name: turn.name, args: turn.input } } : { text: turn.text };
  const body = {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: usage.input,
      candidatesTokenCount: usage.output,
      totalTokenCount: usage.input + usage.output,
    },
    modelVersion: 'scripted',
  };
  if (!stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
    return;
  }
  startSse(response);
  sendEvent(response, body);
  response.end();
}
