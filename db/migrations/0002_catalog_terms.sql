-- "Did you mean" suggestions: the vocabulary of product names, tags, domains and field names,
-- one row per word, with a trigram index so a misspelt word finds its neighbours in a few ms
-- (a trigram scan of 100k product names would not). Derived data: kept by statement-level
-- triggers on data_products (one insert per INSERT/UPDATE statement, so bulk seeding stays
-- fast) and never written by the app. Words of deleted products linger; suggestions are checked
-- against live products before they are shown.
CREATE TABLE catalog_terms (
  term text PRIMARY KEY
);
--> statement-breakpoint
CREATE INDEX catalog_terms_trgm_idx ON catalog_terms USING gin (term gin_trgm_ops);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION catalog_terms_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_terms (term)
  SELECT DISTINCT w
  FROM new_rows r,
       regexp_split_to_table(
         lower(coalesce(r.name, '') || ' ' || coalesce(r.domain, '') || ' ' ||
               coalesce(array_to_string(r.tags, ' '), '') || ' ' ||
               coalesce(array_to_string(r.field_names, ' '), '')),
         '[^[:alnum:]]+') AS w
  WHERE length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'
  ON CONFLICT (term) DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER catalog_terms_ins AFTER INSERT ON data_products
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalog_terms_collect();
--> statement-breakpoint
CREATE TRIGGER catalog_terms_upd AFTER UPDATE ON data_products
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalog_terms_collect();
--> statement-breakpoint
INSERT INTO catalog_terms (term)
SELECT DISTINCT w
FROM data_products r,
     regexp_split_to_table(
       lower(coalesce(r.name, '') || ' ' || coalesce(r.domain, '') || ' ' ||
             coalesce(array_to_string(r.tags, ' '), '') || ' ' ||
             coalesce(array_to_string(r.field_names, ' '), '')),
       '[^[:alnum:]]+') AS w
WHERE length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'
ON CONFLICT (term) DO NOTHING;
