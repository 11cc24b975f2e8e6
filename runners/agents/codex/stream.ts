/** Codex `exec --json`: thread/turn events and items (commands, MCP tool calls, messages). */
import type { RunFailure } from '../../../core/domain/run.ts';
import type { ProgressDraft } from '../../progress/progress-publisher.ts';
import {
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

/** Codex shows commands as `/bin/bash -lc '<command>'`; the command is what a person wants to read. */
function unwrapShell(command: string): string {
  const match = /^\S*\b(?:ba|z)?sh -l?c '([\s\S]*)'$/.exec(command);
  return match?.[1] ? match[1].replace(/'\\''/g, "'") : command;
}

export function createCodexParser(): StreamParser {
  const started = new Set<string>();
  let sessionId: string | undefined;
  let finalText: string | undefined;
  let failure: RunFailure | undefined;
  const totals = { input: 0, output: 0, cached: 0, turns: 0 };

  const called = (item: Record<string, unknown>, id: string): ProgressDraft | undefined => {
    if (started.has(id)) return undefined;
    if (item.type === 'command_execution') {
      started.add(id);
      return {
        type: 'tool.called',
        callId: id,
        tool: 'shell',
        summary: unwrapShell(asString(item.command) ?? ''),
      };
    }
    if (item.type === 'mcp_tool_call') {
      started.add(id);
      return {
        type: 'tool.called',
        callId: id,
        tool: `${asString(item.server) ?? 'mcp'}.${asString(item.tool) ?? 'tool'}`,
        summary: summarizeInput(item.arguments),
      };
    }
    return undefined;
  };

  const completed = (item: Record<string, unknown>, id: string): ProgressDraft[] => {
    switch (item.type) {
      case 'command_execution':
      case 'mcp_tool_call': {
        const call = called(item, id);
        const error = asObject(item.error);
        const ok =
          item.type === 'command_execution'
            ? item.exit_code === 0
            : item.status !== 'failed' && item.error == null;
        const excerpt =
          item.type === 'command_execution'
            ? (asString(item.aggregated_output) ?? '')
            : (asString(error.message) ?? resultText(asObject(item.result).content));
        return [...(call ? [call] : []), { type: 'tool.result', callId: id, ok, excerpt }];
      }
      case 'agent_message': {
        const text = asString(item.text)?.trim();
        if (!text) return [];
        finalText = text;
        return [{ type: 'assistant.message', excerpt: text }];
      }
      default:
        return []; // reasoning, plans, non-fatal warnings (type "error" items) and kinds added later
    }
  };

  return {
    line(text) {
      const event = parseJsonLine(text);
      if (!event) return [];
      const item = asObject(event.item);
      const id = asString(item.id) ?? '?';
      switch (event.type) {
        case 'thread.started':
          sessionId = asString(event.thread_id);
          return [];
        case 'item.started': {
          const call = called(item, id);
          return call ? [call] : [];
        }
        case 'item.completed':
          return completed(item, id);
        case 'turn.completed': {
          const usage = asObject(event.usage);
          totals.input += asNumber(usage.input_tokens) ?? 0;
          totals.output += asNumber(usage.output_tokens) ?? 0;
          totals.cached += asNumber(usage.cached_input_tokens) ?? 0;
          totals.turns += 1;
          return [];
        }
        case 'turn.failed':
        case 'error': {
          const message =
            asString(asObject(event.error).message) ??
            asString(event.message) ??
            'the agent reported an error';
          failure = failureFromMessage(message);
          return [{ type: 'error', message }];
        }
        default:
          return [];
      }
    },
    flush: () => [],
    summary: () => {
      const usage =
        totals.turns > 0
          ? usageOf({
              inputTokens: totals.input,
              outputTokens: totals.output,
              cacheReadTokens: totals.cached,
              turns: totals.turns,
            })
          : undefined;
      return {
        ...(finalText !== undefined && { finalText }),
        ...(usage && { usage }),
        ...(failure && { failure }),
        ...(sessionId && { sessionId }),
      };
    },
  };
}
