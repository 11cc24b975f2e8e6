/**
 * Reads an agent CLI's machine-readable output (one JSON object per line) into normalized progress events and
 * an end-of-run summary. Parsers ignore lines and event kinds they do not know: the formats grow between releases.
 */
import type { RunFailure } from '../../../core/domain/run.ts';
import type { Usage } from '../../../core/domain/usage.ts';
import type { ProgressDraft } from '../progress-publisher.ts';

export interface StreamSummary {
  /** The agent's last message: the report when the agent answered with it instead of writing the file. */
  readonly finalText?: string;
  readonly usage?: Usage;
  /** Set when the CLI itself said the run failed (max turns, authentication, an API error). */
  readonly failure?: RunFailure;
  readonly model?: string;
  readonly cliVersion?: string;
  /** The CLI's session, for resuming it with a follow-up question. */
  readonly sessionId?: string;
  /** The failure cannot get better by waiting (a refused API key the CLI keeps retrying): stop the run now. */
  readonly stopNow?: boolean;
}

export interface StreamParser {
  /** The progress events one line of output means (often none). */
  line(text: string): ProgressDraft[];
  /** Events still buffered at the end of the stream. */
  flush(): ProgressDraft[];
  summary(): StreamSummary;
}

export type JsonObject = Record<string, unknown>;

export function parseJsonLine(text: string): JsonObject | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

export const asObject = (value: unknown): JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
export const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** A short human line for a tool call: the shell command itself, or the arguments as `key=value`. */
export function summarizeInput(input: unknown): string {
  const object = asObject(input);
  const command = object.command ?? object.cmd;
  if (typeof command === 'string') return command;
  if (Array.isArray(command)) return command.map(String).join(' ');
  const pairs = Object.entries(object)
    .filter(([key]) => key !== 'description')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return pairs.join(' ');
}

/** Text out of a tool result, whatever shape the CLI gives it (a string, content blocks, an object). */
export function resultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map((block) => asString(asObject(block).text) ?? (typeof block === 'string' ? block : ''))
      .join('\n');
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** Authentication failures read the same in every vendor's error text. */
export function failureFromMessage(message: string): RunFailure {
  const auth =
    /\b(401|403)\b|unauthori[sz]ed|authentication|invalid (x-)?api[ -]?key|api key not valid|permission denied by the model/i;
  return { reason: auth.test(message) ? 'auth' : 'crashed', detail: message.slice(0, 500) };
}

export function usageOf(parts: { readonly [K in keyof Usage]?: Usage[K] | undefined }): Usage | undefined {
  const entries = Object.entries(parts).filter(([, value]) => value !== undefined);
  const usage: Usage = Object.fromEntries(entries);
  return entries.length > 0 ? usage : undefined;
}
