CREATE TABLE "billing_history" (
	"id" serial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"kind" text NOT NULL,
	"changes" jsonb NOT NULL,
	"source" text NOT NULL,
	"source_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_sync_queue" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"claimed_generation" integer,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"customer_id" text,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"sync_generation" integer,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "stripe_events_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
ALTER TABLE "billing_history" ADD CONSTRAINT "billing_history_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billing_history_workspace_idx" ON "billing_history" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "billing_sync_queue_due_idx" ON "billing_sync_queue" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "stripe_events_customer_status_idx" ON "stripe_events" USING btree ("customer_id","status");--> statement-breakpoint
CREATE INDEX "stripe_events_failed_idx" ON "stripe_events" USING btree ("status") WHERE "stripe_events"."status" = 'failed';