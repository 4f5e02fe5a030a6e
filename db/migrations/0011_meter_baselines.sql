CREATE TABLE "meter_baselines" (
	"subscription_id" uuid NOT NULL,
	"topic" text NOT NULL,
	"offsets" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meter_baselines_subscription_id_topic_pk" PRIMARY KEY("subscription_id","topic")
);
--> statement-breakpoint
ALTER TABLE "meter_baselines" ADD CONSTRAINT "meter_baselines_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;