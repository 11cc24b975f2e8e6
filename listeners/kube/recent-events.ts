/** The last few Events of each object, by uid, as bounded context for its faults; memory is bounded too. */
import type { CoreV1Event } from '@kubernetes/client-node';
import type { RelatedEvent } from '../../core/domain/fault.ts';
import { relatedEvent } from './event-rules.ts';

const maxEventsPerObject = 10;
const maxObjectsWithEvents = 20_000;

export class RecentEvents {
  private readonly byUid = new Map<string, RelatedEvent[]>();

  remember(event: CoreV1Event): void {
    const uid = event.involvedObject.uid;
    if (!uid) return;
    const list = this.byUid.get(uid) ?? [];
    list.push(relatedEvent(event));
    if (list.length > maxEventsPerObject) list.shift();
    this.byUid.delete(uid); // re-inserted last: the least recently touched object is evicted first
    this.byUid.set(uid, list);
    if (this.byUid.size > maxObjectsWithEvents) {
      const oldest = this.byUid.keys().next();
      if (!oldest.done) this.byUid.delete(oldest.value);
    }
  }

  of(uid: string | undefined): readonly RelatedEvent[] {
    return (uid === undefined ? undefined : this.byUid.get(uid)) ?? [];
  }
}
