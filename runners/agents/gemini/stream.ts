/** Gemini CLI `--output-format stream-json`: init, message (streamed in deltas), tool_use, tool_result, result. */
import type { RunFailure } from '../../../core/domain/run.ts';
import type { Usage } from '../../../core/domain/usage.ts';
import type { ProgressDraft } from '../../progress/progress-publisher.ts';
import {
  asNumber,
  asObject,
  asString,
  failureFromMessage,
  parseJsonLine,
  summarizeInput,
  usageOf,
  type StreamParser,
} from '../../progress/streams/stream-parser.ts';

export function createGeminiParser(): StreamParser {
  let model: string | undefined;
  let sessionId: string | undefined;
  let finalText: string | undefined;
  let usage: Usage | undefined;
  let failure: RunFailure | undefined;
  let speaking = '';

  /** The assistant's text arrives in pieces; it becomes one event when something else happens. */
  const said = (): ProgressDraft[] => {
    const text = speaking.trim();
    speaking = '';
    if (!text) return [];
    finalText = text;
    return [{ type: 'assistant.message', excerpt: text }];
  };

  const result = (event: Record<string, unknown>) => {
    const stats = asObject(event.stats);
    usage = usageOf({
      inputTokens: asNumber(stats.input_tokens),
      outputTokens: asNumber(stats.output_tokens),
      cacheReadTokens: asNumber(stats.cached),
      durationMs: asNumber(stats.duration_ms),
    });
    if (event.status !== 'success') {
      const error = asObject(event.error);
      failure = failureFromMessage(
        asString(error.message) ?? `the agent ended with status ${String(event.status)}`,
      );
      if (/turn/i.test(asString(error.type) ?? '')) failure = { reason: 'max_turns', detail: failure.detail };
    }
  };

  return {
    line(text) {
      const event = parseJsonLine(text);
      if (!event) return [];
      switch (event.type) {
        case 'init':
          model = asString(event.model);
          sessionId = asString(event.session_id);
          return [];
        case 'message':
          if (event.role !== 'assistant') return [];
          if (event.delta !== true) speaking += '\n';
          speaking += asString(event.content) ?? '';
          return [];
        case 'tool_use':
          return [
            ...said(),
            {
              type: 'tool.called',
              callId: asString(event.tool_id) ?? '?',
              tool: asString(event.tool_name) ?? 'tool',
              summary: summarizeInput(event.parameters),
            },
          ];
        case 'tool_result':
          return [
            ...said(),
            {
              type: 'tool.result',
              callId: asString(event.tool_id) ?? '?',
              ok: event.status === 'success',
              excerpt: asString(event.output) ?? asString(asObject(event.error).message) ?? '',
            },
          ];
        case 'error':
          return event.severity === 'error'
            ? [...said(), { type: 'error', message: asString(event.message) ?? 'error' }]
            : [];
        case 'result':
          result(event);
          return said();
        default:
          return [];
      }
    },
    flush: said,
    summary: () => ({
      ...(finalText !== undefined && { finalText }),
      ...(usage && { usage }),
      ...(failure && { failure }),
      ...(model && { model }),
      ...(sessionId && { sessionId }),
    }),
  };
}
