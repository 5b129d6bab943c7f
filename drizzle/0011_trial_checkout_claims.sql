CREATE TABLE "billing_trial_checkout_claims" (
	"session_id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "billing_trial_checkout_claims_user_idx" ON "billing_trial_checkout_claims" USING btree ("user_id");