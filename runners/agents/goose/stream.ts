/** Goose `run --output-format stream-json`: messages with toolRequest/toolResponse/text content, then complete. */
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

function toolResult(block: Record<string, unknown>): ProgressDraft {
  const result = asObject(block.toolResult);
  const value = asObject(result.value);
  const exitCode = asNumber(asObject(value.structuredContent).exit_code);
  return {
    type: 'tool.result',
    callId: asString(block.id) ?? '?',
    ok: result.status === 'success' && value.isError !== true && (exitCode === undefined || exitCode === 0),
    excerpt: resultText(value.content ?? asString(result.error)),
  };
}

export function createGooseParser(): StreamParser {
  let finalText: string | undefined;
  let usage: Usage | undefined;
  let failure: RunFailure | undefined;

  const content = (message: Record<string, unknown>): ProgressDraft[] =>
    asArray(message.content).flatMap((raw): ProgressDraft[] => {
      const block = asObject(raw);
      if (block.type === 'toolRequest') {
        const call = asObject(asObject(block.toolCall).value);
        return [
          {
            type: 'tool.called',
            callId: asString(block.id) ?? '?',
            tool: asString(call.name) ?? 'tool',
            summary: summarizeInput(call.arguments),
          },
        ];
      }
      if (block.type === 'toolResponse') return [toolResult(block)];
      const text = asString(block.text)?.trim();
      if (block.type === 'text' && text && message.role === 'assistant') {
        finalText = text;
        return [{ type: 'assistant.message', excerpt: text }];
      }
      return [];
    });

  return {
    line(text) {
      const event = parseJsonLine(text); // Goose also prints a banner and notices: those lines are not JSON
      if (!event) return [];
      switch (event.type) {
        case 'message':
          return content(asObject(event.message));
        case 'complete':
          usage = usageOf({
            inputTokens: asNumber(event.input_tokens),
            outputTokens: asNumber(event.output_tokens),
            cacheReadTokens: asNumber(event.cache_read_input_tokens),
          });
          return [];
        case 'error': {
          const message = asString(event.error) ?? asString(event.message) ?? 'the agent reported an error';
          failure = failureFromMessage(message);
          return [{ type: 'error', message }];
        }
        default:
          return [];
      }
    },
    flush: () => [],
    summary: () => ({
      ...(finalText !== undefined && { finalText }),
      ...(usage && { usage }),
      ...(failure && { failure }),
    }),
  };
}
