-- Catalog search: a weighted tsvector kept by a trigger (any writer keeps it right), GIN indexes
-- for full-text and trigram matching, and an append-only audit log.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION data_products_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(NEW.name, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(array_to_string(NEW.tags, ' '), '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(NEW.domain, '')), 'B') ||
    setweight(to_tsvector('simple', translate(coalesce(array_to_string(NEW.field_names, ' '), ''), '._[]', '    ')), 'C') ||
    setweight(to_tsvector('english', coalesce(NEW.description, '')), 'D');
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER data_products_search_vector_trg
  BEFORE INSERT OR UPDATE OF name, tags, summary, domain, field_names, description ON data_products
  FOR EACH ROW EXECUTE FUNCTION data_products_search_vector();
--> statement-breakpoint
CREATE INDEX data_products_search_idx ON data_products USING gin (search_vector);
--> statement-breakpoint
CREATE INDEX data_products_name_trgm_idx ON data_products USING gin (name gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX data_products_tags_idx ON data_products USING gin (tags);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
