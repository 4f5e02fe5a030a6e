-- Indexes for the catalog's hot paths at 100k+ products (see lib/catalog/queries.ts):
-- name-only full-text (the "name matches first" candidate pool, far smaller than the full
-- vector's postings), and listed-only btrees so browsing by name or newest reads 20 rows
-- in index order instead of sorting every listed product.
CREATE INDEX data_products_name_fts_idx ON data_products
  USING gin ((to_tsvector('simple'::regconfig, name) || to_tsvector('english'::regconfig, name)));
--> statement-breakpoint
CREATE INDEX data_products_listed_name_idx ON data_products (name, id)
  WHERE status IN ('published', 'deprecated');
--> statement-breakpoint
CREATE INDEX data_products_listed_newest_idx ON data_products (published_at DESC NULLS LAST, name, id)
  WHERE status IN ('published', 'deprecated');
