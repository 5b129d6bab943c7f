CREATE TABLE "billing_trial_claims" (
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_trial_claims_workspace_id_user_id_pk" PRIMARY KEY("workspace_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "seats_billed" integer;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "trial_ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "seat_updates_window_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "seat_updates_in_window" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "billing_trial_claims_user_idx" ON "billing_trial_claims" USING btree ("user_id");