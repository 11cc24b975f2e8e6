/** The stream parsers by name; a profile's `stream` picks one (custom agents may reuse a built-in format). */
import { createClaudeCodeParser } from './claude-code-stream.ts';
import { createCodexParser } from './codex-stream.ts';
import { createGeminiParser } from './gemini-stream.ts';
import { createGooseParser } from './goose-stream.ts';
import type { StreamParser } from './stream-parser.ts';
import type { StreamFormat } from '../../../core/domain/agent-profile.ts';

const parsers: Readonly<Record<StreamFormat, () => StreamParser>> = {
  'claude-code': createClaudeCodeParser,
  codex: createCodexParser,
  gemini: createGeminiParser,
  goose: createGooseParser,
};

export const createStreamParser = (format: StreamFormat): StreamParser => parsers[format]();
