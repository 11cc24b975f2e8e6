CREATE TABLE "audit_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text,
	"actor" jsonb NOT NULL,
	"action" text NOT NULL,
	"detail" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "faults" (
	"cluster" text NOT NULL,
	"fault_id" text NOT NULL,
	"class" text NOT NULL,
	"severity" text NOT NULL,
	"namespace" text,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"data" jsonb NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"resolved" boolean NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "faults_cluster_fault_id_pk" PRIMARY KEY("cluster","fault_id")
);
--> statement-breakpoint
CREATE TABLE "incident_members" (
	"incident_id" text NOT NULL,
	"cluster" text NOT NULL,
	"fault_id" text NOT NULL,
	"reason" text NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	CONSTRAINT "incident_members_incident_id_cluster_fault_id_pk" PRIMARY KEY("incident_id","cluster","fault_id")
);
--> statement-breakpoint
CREATE TABLE "incident_transitions" (
	"incident_id" text NOT NULL,
	"version" integer NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"event" text NOT NULL,
	"actor" jsonb NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "incident_transitions_incident_id_version_pk" PRIMARY KEY("incident_id","version")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"fingerprint" text NOT NULL,
	"cluster" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"primary_resource" jsonb NOT NULL,
	"status" text NOT NULL,
	"state" jsonb NOT NULL,
	"fault_count" integer DEFAULT 0 NOT NULL,
	"thread_channel" text,
	"thread_ts" text,
	"previous_incident_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "progress_events" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "progress_events_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"run_id" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"card" jsonb NOT NULL,
	"artifacts" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"purpose" text NOT NULL,
	"agent" text NOT NULL,
	"runner" text NOT NULL,
	"status" text NOT NULL,
	"attempt" integer NOT NULL,
	"question" text,
	"model" text,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"usage" jsonb,
	"report_key" text,
	"failure_reason" text,
	"failure_detail" text
);
--> statement-breakpoint
CREATE TABLE "work_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_members" ADD CONSTRAINT "incident_members_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_transitions" ADD CONSTRAINT "incident_transitions_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_events" ADD CONSTRAINT "progress_events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_entries_incident_idx" ON "audit_entries" USING btree ("incident_id","at");--> statement-breakpoint
CREATE INDEX "faults_resource_idx" ON "faults" USING btree ("cluster","namespace","kind","name");--> statement-breakpoint
CREATE INDEX "incident_members_fault_idx" ON "incident_members" USING btree ("cluster","fault_id");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_open_fingerprint_uq" ON "incidents" USING btree ("cluster","fingerprint") WHERE status not in ('resolved', 'closed');--> statement-breakpoint
CREATE INDEX "incidents_status_idx" ON "incidents" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "incidents_fingerprint_idx" ON "incidents" USING btree ("cluster","fingerprint","created_at");--> statement-breakpoint
CREATE INDEX "reports_incident_idx" ON "reports" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_incident_idx" ON "runs" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "work_items_kind_key_uq" ON "work_items" USING btree ("kind","key");--> statement-breakpoint
CREATE INDEX "work_items_due_idx" ON "work_items" USING btree ("kind","run_at");