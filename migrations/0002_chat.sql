CREATE TABLE "chat_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"key" text PRIMARY KEY NOT NULL,
	"incident_id" text,
	"channel" text NOT NULL,
	"ts" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "chat_deliveries_at_idx" ON "chat_deliveries" USING btree ("at");--> statement-breakpoint
CREATE INDEX "chat_messages_incident_idx" ON "chat_messages" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "chat_messages_channel_ts_idx" ON "chat_messages" USING btree ("channel","ts");