CREATE TABLE "remediation_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"cluster" text NOT NULL,
	"actions" jsonb NOT NULL,
	"dry_run" jsonb NOT NULL,
	"proposed_by" jsonb NOT NULL,
	"status" text NOT NULL,
	"approvals" jsonb NOT NULL,
	"required_approvals" integer NOT NULL,
	"proposed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"execution" jsonb,
	"verification" jsonb,
	"version" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "remediation_requests" ADD CONSTRAINT "remediation_requests_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "remediation_requests_incident_idx" ON "remediation_requests" USING btree ("incident_id","proposed_at");