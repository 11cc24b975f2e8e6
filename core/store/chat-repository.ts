import { and, asc, eq, lt } from 'drizzle-orm';
import type { ChatRepository, PostedMessage } from '../ports/chat-repository.ts';
import type { Database } from './database.ts';
import { chatDeliveries, chatMessages } from './schema.ts';

export function createChatRepository(db: Database): ChatRepository {
  const toMessage = (row: typeof chatMessages.$inferSelect): PostedMessage => ({
    key: row.key,
    ...(row.incidentId !== null && { incidentId: row.incidentId }),
    channel: row.channel,
    ts: row.ts,
    createdAt: row.createdAt,
  });
  return {
    async message(key) {
      const [row] = await db.select().from(chatMessages).where(eq(chatMessages.key, key));
      return row && toMessage(row);
    },

    async saveMessage(message) {
      await db
        .insert(chatMessages)
        .values({ ...message, incidentId: message.incidentId ?? null })
        .onConflictDoNothing();
      const [row] = await db.select().from(chatMessages).where(eq(chatMessages.key, message.key));
      if (!row) throw new Error(`chat message ${message.key} vanished after it was saved`);
      return toMessage(row);
    },

    async messagesOf(incidentId) {
      const rows = await db
        .select()
        .from(chatMessages)
        .where(eq(chatMessages.incidentId, incidentId))
        .orderBy(asc(chatMessages.createdAt));
      return rows.map(toMessage);
    },

    async messageAt(channel, ts) {
      const [row] = await db
        .select()
        .from(chatMessages)
        .where(and(eq(chatMessages.channel, channel), eq(chatMessages.ts, ts)));
      return row && toMessage(row);
    },

    async firstDelivery(id, at) {
      const rows = await db
        .insert(chatDeliveries)
        .values({ id, at })
        .onConflictDoNothing()
        .returning({ id: chatDeliveries.id });
      return rows.length > 0;
    },

    async pruneDeliveries(before) {
      const rows = await db
        .delete(chatDeliveries)
        .where(lt(chatDeliveries.at, before))
        .returning({ id: chatDeliveries.id });
      return rows.length;
    },
  };
}
