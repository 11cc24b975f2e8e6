import { v7 } from 'uuid';
import type { IdGen } from '../../core/ports/id-gen.ts';

/** RFC 9562 UUIDv7: ids sort by creation time, which keeps indexes and listings in order. */
export const uuidV7Gen: IdGen = { newId: () => v7() };
