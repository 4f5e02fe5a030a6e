-- usage_monthly is derived data: for every (subscription, UTC calendar month) the sum of its
-- usage_ledger rows. Statement-level triggers on usage_ledger keep it, so it changes in the
-- same transaction as every ledger write — the meter's hourly upsert (and so it is exactly as
-- crash-safe as the ledger: both commit or neither), the demo seed, tests, a manual correction —
-- and it can never drift from the ledger. One aggregated upsert per statement (grouped by
-- subscription and month, in key order so concurrent writers lock rows in the same order), so
-- bulk writes stay fast. updated_at is the latest ledger updated_at that touched the month (the
-- late-usage rule of lib/billing compares it with a period's closed_at).
CREATE OR REPLACE FUNCTION usage_monthly_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO usage_monthly AS m (month, subscription_id, messages, bytes, updated_at)
    SELECT (date_trunc('month', n.hour AT TIME ZONE 'UTC'))::date, n.subscription_id, sum(n.messages), sum(n.bytes), max(n.updated_at)
    FROM new_rows n GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (month, subscription_id) DO UPDATE
      SET messages = m.messages + excluded.messages, bytes = m.bytes + excluded.bytes, updated_at = greatest(m.updated_at, excluded.updated_at);
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO usage_monthly AS m (month, subscription_id, messages, bytes, updated_at)
    SELECT d.month, d.subscription_id, sum(d.messages), sum(d.bytes), coalesce(max(d.updated_at), now())
    FROM (
      SELECT (date_trunc('month', n.hour AT TIME ZONE 'UTC'))::date AS month, n.subscription_id, n.messages, n.bytes, n.updated_at FROM new_rows n
      UNION ALL
      SELECT (date_trunc('month', o.hour AT TIME ZONE 'UTC'))::date, o.subscription_id, -o.messages, -o.bytes, NULL FROM old_rows o
    ) d GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (month, subscription_id) DO UPDATE
      SET messages = m.messages + excluded.messages, bytes = m.bytes + excluded.bytes, updated_at = greatest(m.updated_at, excluded.updated_at);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO usage_monthly AS m (month, subscription_id, messages, bytes, updated_at)
    SELECT (date_trunc('month', o.hour AT TIME ZONE 'UTC'))::date, o.subscription_id, -sum(o.messages), -sum(o.bytes), now()
    FROM old_rows o GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (month, subscription_id) DO UPDATE
      SET messages = m.messages + excluded.messages, bytes = m.bytes + excluded.bytes, updated_at = greatest(m.updated_at, excluded.updated_at);
  ELSE
    DELETE FROM usage_monthly;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER usage_monthly_ins AFTER INSERT ON usage_ledger
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_monthly_apply();
--> statement-breakpoint
CREATE TRIGGER usage_monthly_upd AFTER UPDATE ON usage_ledger
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_monthly_apply();
--> statement-breakpoint
CREATE TRIGGER usage_monthly_del AFTER DELETE ON usage_ledger
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_monthly_apply();
--> statement-breakpoint
CREATE TRIGGER usage_monthly_trunc AFTER TRUNCATE ON usage_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION usage_monthly_apply();
--> statement-breakpoint
INSERT INTO usage_monthly (month, subscription_id, messages, bytes, updated_at)
SELECT (date_trunc('month', hour AT TIME ZONE 'UTC'))::date, subscription_id, sum(messages), sum(bytes), max(updated_at)
FROM usage_ledger GROUP BY 1, 2;
