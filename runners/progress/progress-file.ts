/**
 * The progress channel for `custom` agents: one JSON object per line appended to $WATCHKEEPER_PROGRESS_FILE
 * (`{"type":"tool.called","callId":"1","tool":"kubectl","summary":"get pods -n shop"}` and the other types of
 * ProgressEvent, without runId/seq/at). The file is followed while the agent runs; bad lines are dropped.
 */
import { open } from 'node:fs/promises';
import type { ProgressDraft, ProgressPublisher } from './progress-publisher.ts';

export interface FileFollower {
  /** Reads what is left and stops following. */
  stop(): Promise<void>;
}

export function followProgressFile(path: string, publisher: ProgressPublisher, everyMs = 200): FileFollower {
  let offset = 0;
  let partial = '';
  let reading: Promise<void> = Promise.resolve();

  const readMore = async () => {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size <= offset) return;
      const buffer = Buffer.alloc(Math.min(size - offset, 1_048_576));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      offset += bytesRead;
      const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          await publisher.emit(JSON.parse(line) as ProgressDraft);
        } catch {
          await publisher.emit({
            type: 'error',
            message: 'the agent wrote a progress line that is not JSON',
          });
        }
      }
    } finally {
      await handle.close();
    }
  };

  const timer = setInterval(() => {
    reading = reading.then(readMore, readMore);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading.catch(() => undefined);
      await readMore().catch(() => undefined);
    },
  };
}
