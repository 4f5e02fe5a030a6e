ALTER TABLE "clusters" ADD COLUMN "tls" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "tls_ca_cert" text;