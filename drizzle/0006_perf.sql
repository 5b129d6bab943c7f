CREATE TABLE "rate_budgets" (
	"name" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
