ALTER TABLE "audit_log" ADD COLUMN "user_agent" text;--> statement-breakpoint
CREATE INDEX "audit_log_actor_label_trgm_idx" ON "audit_log" USING gin ("actor_label" gin_trgm_ops);