CREATE TABLE "usage_monthly" (
	"month" date NOT NULL,
	"subscription_id" uuid NOT NULL,
	"messages" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_monthly_month_subscription_id_pk" PRIMARY KEY("month","subscription_id")
);
--> statement-breakpoint
ALTER TABLE "usage_monthly" ADD CONSTRAINT "usage_monthly_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_monthly_subscription_idx" ON "usage_monthly" USING btree ("subscription_id");