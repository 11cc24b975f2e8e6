CREATE TABLE "silences" (
	"id" text PRIMARY KEY NOT NULL,
	"matcher" jsonb NOT NULL,
	"author" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_transitions" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cluster" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "sandbox" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "work_items" ADD COLUMN "wait_reason" text;--> statement-breakpoint
CREATE INDEX "silences_expires_idx" ON "silences" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "incident_transitions_unpublished_idx" ON "incident_transitions" USING btree ("at") WHERE published_at is null;--> statement-breakpoint
CREATE INDEX "runs_finished_idx" ON "runs" USING btree ("finished_at");--> statement-breakpoint
CREATE INDEX "runs_started_idx" ON "runs" USING btree ("started_at");