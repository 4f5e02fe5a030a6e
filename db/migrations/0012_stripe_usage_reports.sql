CREATE TABLE "stripe_usage_reports" (
	"subscription_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"seq" integer NOT NULL,
	"units" bigint NOT NULL,
	"value" bigint NOT NULL,
	"billing_month" date NOT NULL,
	"identifier" text NOT NULL,
	"event_timestamp" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "stripe_usage_reports_subscription_id_hour_seq_pk" PRIMARY KEY("subscription_id","hour","seq"),
	CONSTRAINT "stripe_usage_reports_identifier_unique" UNIQUE("identifier")
);
--> statement-breakpoint
ALTER TABLE "stripe_usage_reports" ADD CONSTRAINT "stripe_usage_reports_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_usage_reports_month_idx" ON "stripe_usage_reports" USING btree ("subscription_id","billing_month");