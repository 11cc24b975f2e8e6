/**
 * What the stream parsers make of the edges of each CLI's output: failures the CLI reports itself, text that
 * arrives in pieces, lines that are not JSON and event kinds added in later releases. (The normal path of each
 * parser runs against the real CLI in agent-clis.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { createStreamParser } from '../../runners/progress/streams/index.ts';

const read = (format: Parameters<typeof createStreamParser>[0], lines: readonly unknown[]) => {
  const parser = createStreamParser(format);
  const events = lines.flatMap((line) => parser.line(typeof line === 'string' ? line : JSON.stringify(line)));
  return { events: [...events, ...parser.flush()], summary: parser.summary() };
};

describe('Claude Code stream-json', () => {
  it('reports a failed MCP server, a max-turns end with its usage and cost, and skips unknown kinds', () => {
    const { events, summary } = read('claude-code', [
      {
        type: 'system',
        subtype: 'init',
        model: 'claude-x',
        claude_code_version: '2.1.332',
        session_id: 's1',
        mcp_servers: [
          { name: 'kubernetes', status: 'failed' },
          { name: 'ok', status: 'connected' },
        ],
      },
      { type: 'rate_limit_event', whatever: true },
      { type: 'stream_event', event: {} },
      {
        type: 'result',
        subtype: 'error_max_turns',
        is_error: true,
        num_turns: 12,
        total_cost_usd: 0.42,
        usage: { input_tokens: 1000, output_tokens: 50, cache_read_input_tokens: 7 },
      },
    ]);
    expect(events).toEqual([{ type: 'error', message: 'MCP server kubernetes is failed' }]);
    expect(summary).toMatchObject({
      model: 'claude-x',
      cliVersion: '2.1.332',
      sessionId: 's1',
      failure: { reason: 'max_turns' },
      usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 7, costUsd: 0.42, turns: 12 },
    });
  });

  it('says when the model API is retried, and gives up on a refused key at once', () => {
    const { events, summary } = read('claude-code', [
      {
        type: 'system',
        subtype: 'api_retry',
        attempt: 1,
        max_retries: 10,
        error_status: 529,
        error: 'overloaded',
      },
    ]);
    expect(events).toEqual([{ type: 'error', message: 'model API 529 overloaded, retry 1 of 10' }]);
    expect(summary.stopNow).toBeUndefined();
    const refused = read('claude-code', [
      {
        type: 'system',
        subtype: 'api_retry',
        attempt: 1,
        max_retries: 10,
        error_status: 401,
        error: 'authentication_failed',
      },
    ]);
    expect(refused.summary).toMatchObject({ stopNow: true, failure: { reason: 'auth' } });
  });

  it('reads an API key refusal as an authentication failure', () => {
    const { summary } = read('claude-code', [
      { type: 'result', subtype: 'success', is_error: true, result: 'Invalid API key · Please run /login' },
    ]);
    expect(summary.failure).toMatchObject({ reason: 'auth' });
  });
});

describe('Codex --json', () => {
  it('shows the command without its shell wrapper and pairs the result; ignores warnings', () => {
    const { events } = read('codex', [
      { type: 'item.completed', item: { id: 'item_0', type: 'error', message: 'Model metadata not found' } },
      {
        type: 'item.started',
        item: {
          id: 'item_1',
          type: 'command_execution',
          command: "/bin/bash -lc 'kubectl get pods -l '\\''a=b'\\'''",
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'item_1',
          type: 'command_execution',
          command: '…',
          aggregated_output: 'No resources',
          exit_code: 1,
        },
      },
    ]);
    expect(events).toEqual([
      { type: 'tool.called', callId: 'item_1', tool: 'shell', summary: "kubectl get pods -l 'a=b'" },
      { type: 'tool.result', callId: 'item_1', ok: false, excerpt: 'No resources' },
    ]);
  });

  it('reads a failed turn with 401 as an authentication failure', () => {
    const { events, summary } = read('codex', [
      { type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized: invalid key' } },
    ]);
    expect(events).toMatchObject([{ type: 'error' }]);
    expect(summary.failure).toMatchObject({ reason: 'auth' });
  });
});

describe('Gemini CLI stream-json', () => {
  it('joins streamed text into one message and reads a turn-limit end', () => {
    const { events, summary } = read('gemini', [
      { type: 'init', model: 'gemini-x', session_id: 'g1' },
      { type: 'message', role: 'user', content: 'go' },
      { type: 'message', role: 'assistant', content: 'The pod ', delta: true },
      { type: 'message', role: 'assistant', content: 'crashes.', delta: true },
      {
        type: 'result',
        status: 'error',
        error: { type: 'MaxSessionTurnsError', message: 'Reached max session turns' },
        stats: { input_tokens: 10, output_tokens: 2 },
      },
    ]);
    expect(events).toEqual([{ type: 'assistant.message', excerpt: 'The pod crashes.' }]);
    expect(summary).toMatchObject({
      model: 'gemini-x',
      finalText: 'The pod crashes.',
      failure: { reason: 'max_turns' },
      usage: { inputTokens: 10, outputTokens: 2 },
    });
  });
});

describe('Goose stream-json', () => {
  it('skips the banner, reads a failing shell result by its exit code, and the token totals', () => {
    const { events, summary } = read('goose', [
      '    __( O)>  ● new session · openai gpt',
      {
        type: 'message',
        message: {
          role: 'user',
          content: [
            {
              type: 'toolResponse',
              id: 'call_1',
              toolResult: {
                status: 'success',
                value: {
                  content: [{ type: 'text', text: 'forbidden' }],
                  structuredContent: { exit_code: 1 },
                },
              },
            },
          ],
        },
      },
      { type: 'complete', total_tokens: 30, input_tokens: 20, output_tokens: 10 },
    ]);
    expect(events).toEqual([{ type: 'tool.result', callId: 'call_1', ok: false, excerpt: 'forbidden' }]);
    expect(summary.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
  });
});
