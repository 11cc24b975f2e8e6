/** Claude Code `--output-format stream-json --verbose`: system/init, assistant and user messages, result. */
import type { RunFailure } from '../../../core/domain/run.ts';
import type { Usage } from '../../../core/domain/usage.ts';
import type { ProgressDraft } from '../../progress/progress-publisher.ts';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  failureFromMessage,
  parseJsonLine,
  resultText,
  summarizeInput,
  usageOf,
  type StreamParser,
} from '../../progress/streams/stream-parser.ts';

export function createClaudeCodeParser(): StreamParser {
  let model: string | undefined;
  let cliVersion: string | undefined;
  let sessionId: string | undefined;
  let finalText: string | undefined;
  let usage: Usage | undefined;
  let failure: RunFailure | undefined;
  let stopNow = false;

  /** Claude Code retries refused requests for minutes (10 attempts with backoff), even a refused key. */
  const retry = (event: Record<string, unknown>): ProgressDraft[] => {
    const status = asNumber(event.error_status);
    const error = asString(event.error) ?? 'error';
    const message = `model API ${status ?? ''} ${error}, retry ${asNumber(event.attempt) ?? '?'} of ${asNumber(event.max_retries) ?? '?'}`;
    if (status === 401 || status === 403 || error === 'authentication_failed') {
      failure = { reason: 'auth', detail: `the model API refused the credentials (${status ?? error})` };
      stopNow = true;
    }
    return [{ type: 'error', message: message.replace(/\s+/g, ' ') }];
  };

  const init = (event: Record<string, unknown>): ProgressDraft[] => {
    model = asString(event.model) ?? model;
    cliVersion = asString(event.claude_code_version) ?? cliVersion;
    sessionId = asString(event.session_id) ?? sessionId;
    return asArray(event.mcp_servers)
      .map(asObject)
      .filter((server) => server.status !== 'connected')
      .map((server) => ({
        type: 'error' as const,
        message: `MCP server ${asString(server.name) ?? '?'} is ${asString(server.status) ?? 'not connected'}`,
      }));
  };

  const result = (event: Record<string, unknown>) => {
    const raw = asObject(event.usage);
    usage = usageOf({
      inputTokens: asNumber(raw.input_tokens),
      outputTokens: asNumber(raw.output_tokens),
      cacheReadTokens: asNumber(raw.cache_read_input_tokens),
      costUsd: asNumber(event.total_cost_usd),
      turns: asNumber(event.num_turns),
      durationMs: asNumber(event.duration_ms),
    });
    finalText = asString(event.result) ?? finalText;
    const subtype = asString(event.subtype);
    if (subtype === 'error_max_turns') {
      failure = { reason: 'max_turns', detail: `stopped after ${asNumber(event.num_turns) ?? '?'} turns` };
    } else if (subtype === 'error_max_budget_usd') {
      failure = { reason: 'budget_spent', detail: 'the agent reached its spending limit' };
    } else if (event.is_error === true || (subtype !== undefined && subtype !== 'success')) {
      const errors = asArray(event.errors).map(String).join('; ');
      const why = [errors, finalText, subtype].find((text) => text !== undefined && text !== '');
      failure = failureFromMessage(why ?? 'the agent reported an error');
    }
  };

  return {
    line(text) {
      const event = parseJsonLine(text);
      if (!event) return [];
      const message = asObject(event.message);
      switch (event.type) {
        case 'system':
          return event.subtype === 'init' ? init(event) : event.subtype === 'api_retry' ? retry(event) : [];
        case 'assistant':
          return asArray(message.content).flatMap((raw): ProgressDraft[] => {
            const block = asObject(raw);
            if (block.type === 'tool_use')
              return [
                {
                  type: 'tool.called',
                  callId: asString(block.id) ?? '?',
                  tool: asString(block.name) ?? 'tool',
                  summary: summarizeInput(block.input),
                },
              ];
            const said = asString(block.text)?.trim();
            return block.type === 'text' && said ? [{ type: 'assistant.message', excerpt: said }] : [];
          });
        case 'user':
          return asArray(message.content).flatMap((raw): ProgressDraft[] => {
            const block = asObject(raw);
            if (block.type !== 'tool_result') return [];
            return [
              {
                type: 'tool.result',
                callId: asString(block.tool_use_id) ?? '?',
                ok: block.is_error !== true,
                excerpt: resultText(block.content),
              },
            ];
          });
        case 'result':
          result(event);
          return [];
        default:
          return [];
      }
    },
    flush: () => [],
    summary: () => ({
      ...(finalText !== undefined && { finalText }),
      ...(usage && { usage }),
      ...(failure && { failure }),
      ...(model && { model }),
      ...(cliVersion && { cliVersion }),
      ...(sessionId && { sessionId }),
      ...(stopNow && { stopNow }),
    }),
  };
}
