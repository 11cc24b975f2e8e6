/**
 * The progress channel for `custom` agents and for Watchkeeper's own hooks inside the sandbox: one JSON object
 * per line appended to $WATCHKEEPER_PROGRESS_FILE (`{"type":"tool.called","callId":"1","tool":"kubectl",
 * "summary":"get pods -n shop"}` and the other types of ProgressEvent, without runId/seq/at). The file is
 * followed while the agent runs; a line that is not JSON becomes an error event.
 */
import type { LineSource } from './follow-lines.ts';
import type { ProgressDraft, ProgressPublisher } from './progress-publisher.ts';

export function progressFileSource(path: string, publisher: ProgressPublisher): LineSource {
  return {
    path,
    onLine: async (line) => {
      let draft: ProgressDraft;
      try {
        draft = JSON.parse(line) as ProgressDraft;
      } catch {
        await publisher.emit({ type: 'error', message: 'the agent wrote a progress line that is not JSON' });
        return;
      }
      await publisher.emit(draft);
    },
  };
}
