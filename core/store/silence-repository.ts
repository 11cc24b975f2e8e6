import { eq, gt } from 'drizzle-orm';
import type { Silence, SilenceMatcher } from '../domain/policies/silence.ts';
import type { SilenceRepository } from '../ports/silence-repository.ts';
import type { Database } from './database.ts';
import { silences } from './schema.ts';

export function createSilenceRepository(db: Database): SilenceRepository {
  return {
    async add(silence) {
      await db.insert(silences).values({ ...silence });
    },

    async active(now) {
      const rows = await db.select().from(silences).where(gt(silences.expiresAt, now));
      return rows.map((row): Silence => ({
        id: row.id,
        matcher: row.matcher as SilenceMatcher,
        author: row.author,
        reason: row.reason,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
      }));
    },

    async remove(id) {
      const rows = await db.delete(silences).where(eq(silences.id, id)).returning({ id: silences.id });
      return rows.length > 0;
    },
  };
}
