/**
 * A scripted model server for the real agent CLIs: speaks the Anthropic Messages API (Claude Code), the OpenAI
 * Responses API (Codex) and Chat Completions API (Goose), and the Gemini API (Gemini CLI), and plays the same
 * scripted tool-calling conversation to each. Every request is recorded so tests can check what the tools
 * really returned.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAnthropic, writeAnthropic } from './anthropic.ts';
import { readGemini, writeGemini } from './gemini.ts';
import { readChat, writeChat } from './openai-chat.ts';
import { readResponses, writeResponses } from './openai-responses.ts';
import { promptText, type ModelApi } from './prompt-text.ts';
import { nextTurn, type ModelTurn, type ScriptStep } from './script.ts';

export type { ModelApi } from './prompt-text.ts';

export interface RecordedRequest {
  readonly api: ModelApi;
  readonly path: string;
  readonly tools: readonly string[];
  /** The tool results the CLI sent back so far, as JSON text. */
  readonly toolResults: readonly string[];
  readonly answer: ModelTurn;
  /** The request's prompt (system prompt, conversation, tool schemas) as JSON text, for counting its tokens. */
  readonly prompt: string;
}

export interface ScriptedModelServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

export interface ScriptedModelOptions {
  /** Refuse every model request with this HTTP status (401: a wrong API key), in the vendor-neutral error shape. */
  readonly refuseWith?: number;
}

export async function startScriptedModelServer(
  script: readonly ScriptStep[],
  options: ScriptedModelOptions = {},
): Promise<ScriptedModelServer> {
  const requests: RecordedRequest[] = [];
  let ids = 0;

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'HEAD' || request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(path.endsWith('/models') ? JSON.stringify({ data: [], object: 'list' }) : '{}');
      return;
    }
    const body = await readJson(request);
    const id = ++ids;
    if (options.refuseWith !== undefined) {
      response.writeHead(options.refuseWith, { 'content-type': 'application/json' });
      const message =
        options.refuseWith === 401 ? 'invalid x-api-key' : 'refused by the scripted model server';
      response.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'authentication_error', message, code: options.refuseWith },
        }),
      );
      return;
    }
    if (path.endsWith('/messages/count_tokens')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ input_tokens: 1_000 }));
      return;
    }
    const record = (
      api: ModelApi,
      tools: readonly { name: string; namespace?: string }[],
      toolResults: string[],
    ) => {
      const answer = nextTurn(script, toolResults.length, tools);
      requests.push({
        api,
        path,
        tools: tools.map((t) => (t.namespace ? `${t.namespace}.${t.name}` : t.name)),
        toolResults,
        answer,
        prompt: promptText(api, body),
      });
      return answer;
    };
    if (path.endsWith('/messages')) {
      const read = readAnthropic(body);
      writeAnthropic(response, record('anthropic', read.offered, read.results), read.model, read.stream, id);
    } else if (path.endsWith('/responses')) {
      const read = readResponses(body);
      writeResponses(response, record('openai-responses', read.offered, read.results), read.model, id);
    } else if (path.endsWith('/chat/completions')) {
      const read = readChat(body);
      writeChat(response, record('openai-chat', read.offered, read.results), read.model, read.stream, id);
    } else if (/:(stream)?generateContent$/i.test(path)) {
      const read = readGemini(body);
      writeGemini(
        response,
        record('gemini', read.offered, read.results),
        path.endsWith(':streamGenerateContent'),
      );
    } else if (path.endsWith(':countTokens')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ totalTokens: 1_000 }));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { message: `the scripted model server does not serve ${path}` } }),
      );
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
