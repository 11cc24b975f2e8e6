/** A run's progress as Slack streaming chunks: one task per tool call, its status following the result. */
import type { TaskUpdateChunk } from '@slack/types';
import type { ProgressEvent } from '../../../core/domain/progress.ts';
import { escapeBounded, oneLine } from './escape.ts';

/** Task updates for `events` (only those after `afterSeq`), in order; a result updates its call's task. */
export function progressChunks(events: readonly ProgressEvent[], afterSeq = 0): TaskUpdateChunk[] {
  const titles = new Map<string, string>();
  const chunks: TaskUpdateChunk[] = [];
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const fresh = event.seq > afterSeq;
    switch (event.type) {
      case 'tool.called': {
        const title = escapeBounded(oneLine(`${event.tool} ${event.summary}`), 200);
        titles.set(event.callId, title);
        if (fresh)
          chunks.push({ type: 'task_update', id: taskId(event.callId), title, status: 'in_progress' });
        break;
      }
      case 'tool.result':
        if (fresh)
          chunks.push({
            type: 'task_update',
            id: taskId(event.callId),
            title: titles.get(event.callId) ?? 'tool call',
            status: event.ok ? 'complete' : 'error',
            ...(event.excerpt !== undefined && !event.ok && { output: escapeBounded(event.excerpt, 300) }),
          });
        break;
      case 'tool.denied':
        if (fresh)
          chunks.push({
            type: 'task_update',
            id: `denied-${event.seq}`,
            title: escapeBounded(`denied ${event.tool}`, 200),
            status: 'error',
            details: escapeBounded(event.reason, 300),
          });
        break;
      case 'error':
        if (fresh)
          chunks.push({
            type: 'task_update',
            id: `error-${event.seq}`,
            title: escapeBounded(oneLine(event.message), 200),
            status: 'error',
          });
        break;
      case 'assistant.message':
      case 'run.started':
      case 'run.finished':
        break;
    }
  }
  return chunks;
}

/** Task ids are the agent's call ids, bounded and reduced to safe characters. */
function taskId(callId: string): string {
  return `call-${callId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64)}`;
}
