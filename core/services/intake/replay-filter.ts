/** Stage 2, replay filter: an observation the store already had (a replay, an older one arriving late) stops here. */
import type { RecordedItem, Settle } from './intake-item.ts';

export function filterReplays(items: readonly RecordedItem[], settle: Settle): RecordedItem[] {
  return items.filter((item) => {
    if (item.record.outcome !== 'duplicate') return true;
    settle(item, { kind: 'duplicate', message: 'already stored: a replay or an older observation' });
    return false;
  });
}
