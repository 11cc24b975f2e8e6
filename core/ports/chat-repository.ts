/** Where Watchkeeper remembers what it posted to chat and which chat requests it already handled. */
export interface PostedMessage {
  /** What the message is, derived by the poster (e.g. `run:<id>:progress`); one message per key, ever. */
  readonly key: string;
  readonly incidentId?: string;
  readonly channel: string;
  readonly ts: string;
  readonly createdAt: Date;
}

export interface ChatRepository {
  message(key: string): Promise<PostedMessage | undefined>;
  /** Keeps the first message stored under its key; returns the one that is stored (this one or an earlier one). */
  saveMessage(message: PostedMessage): Promise<PostedMessage>;
  messagesOf(incidentId: string): Promise<readonly PostedMessage[]>;
  /** The message posted at this channel and timestamp (to find the incident a thread belongs to). */
  messageAt(channel: string, ts: string): Promise<PostedMessage | undefined>;
  /** True the first time `id` is seen: a retried delivery or a double click is then recognised and ignored. */
  firstDelivery(id: string, at: Date): Promise<boolean>;
  /** Forgets deliveries older than `before` (Slack retries within minutes); returns how many. */
  pruneDeliveries(before: Date): Promise<number>;
}
