-- Rare classifications (public, internal) are selective filters; with this index the planner
-- can AND them with the domain/owner bitmaps instead of reading every product of a domain.
CREATE INDEX data_products_classification_idx ON data_products (classification)
  WHERE status IN ('published', 'deprecated');
