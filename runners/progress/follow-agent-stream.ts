/**
 * Follows an agent CLI's stdout (its transcript) and publishes what its stream parser reads from each line,
 * together with the progress file Watchkeeper's hooks (and custom agents) write: stdout first on every read, so
 * a hook's denial follows the tool call it denied.
 */
import type { StreamFormat } from '../../core/domain/agent-profile.ts';
import { followLines } from './follow-lines.ts';
import { progressFileSource } from './progress-file.ts';
import type { ProgressPublisher } from './progress-publisher.ts';
import { createStreamParser } from './streams/index.ts';
import type { StreamSummary } from './streams/stream-parser.ts';

export interface AgentStreamFollower {
  /** Reads what is left, publishes buffered events and returns what the stream said about the run. */
  stop(): Promise<StreamSummary>;
}

export function followAgentStream(
  files: { readonly stdout: string; readonly progress: string },
  format: StreamFormat | undefined,
  publisher: ProgressPublisher,
  /** Called once when the stream says the run cannot succeed any more (see StreamSummary.stopNow). */
  onHopeless: () => void = () => undefined,
): AgentStreamFollower {
  let told = false;
  const parser = format ? createStreamParser(format) : undefined;
  const follower = followLines([
    ...(parser
      ? [
          {
            path: files.stdout,
            onLine: async (line: string) => {
              for (const draft of parser.line(line)) await publisher.emit(draft);
              if (!told && parser.summary().stopNow) {
                told = true;
                onHopeless();
              }
            },
          },
        ]
      : []),
    progressFileSource(files.progress, publisher),
  ]);
  return {
    async stop() {
      await follower.stop();
      for (const draft of parser?.flush() ?? []) await publisher.emit(draft);
      return parser?.summary() ?? {};
    },
  };
}
