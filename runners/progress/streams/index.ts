/** The stream parsers by name; a profile's `stream` picks one (custom agents may reuse a built-in format). */
import { createClaudeCodeParser } from '../../agents/claude-code/stream.ts';
import { createCodexParser } from '../../agents/codex/stream.ts';
import { createGeminiParser } from '../../agents/gemini/stream.ts';
import { createGooseParser } from '../../agents/goose/stream.ts';
import type { StreamParser } from './stream-parser.ts';
import type { StreamFormat } from '../../../core/domain/agent-profile.ts';

const parsers: Readonly<Record<StreamFormat, () => StreamParser>> = {
  'claude-code': createClaudeCodeParser,
  codex: createCodexParser,
  gemini: createGeminiParser,
  goose: createGooseParser,
};

export const createStreamParser = (format: StreamFormat): StreamParser => parsers[format]();
