-- A closed billing period is frozen in the database, not only in lib/billing/charges.ts: its
-- charges cannot be inserted, updated or deleted, and the period row cannot be changed, reopened
-- or deleted, whoever connects (the app role, a script, a console). Corrections are new
-- 'adjustment' charges in an open period. Open periods stay writable: their usage and flat lines
-- are replaced on every recompute. Statement-level triggers with transition tables, so the
-- worker's recompute of 10,000 lines costs one check per statement, not one per row.
CREATE OR REPLACE FUNCTION billing_period_frozen_error(p_month date, p_op text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'billing period % is closed: its charges are immutable (% refused)', to_char(p_month, 'YYYY-MM'), p_op
    USING ERRCODE = 'integrity_constraint_violation', HINT = 'Book a correction as an adjustment in an open period.';
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION charges_frozen_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  frozen date;
BEGIN
  SELECT bp.month INTO frozen FROM new_rows n JOIN billing_periods bp ON bp.id = n.period_id WHERE bp.status = 'closed' LIMIT 1;
  IF frozen IS NOT NULL THEN PERFORM billing_period_frozen_error(frozen, 'INSERT'); END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION charges_frozen_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  frozen date;
BEGIN
  SELECT bp.month INTO frozen FROM (SELECT period_id FROM old_rows UNION SELECT period_id FROM new_rows) r
    JOIN billing_periods bp ON bp.id = r.period_id WHERE bp.status = 'closed' LIMIT 1;
  IF frozen IS NOT NULL THEN PERFORM billing_period_frozen_error(frozen, 'UPDATE'); END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION charges_frozen_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  frozen date;
BEGIN
  SELECT bp.month INTO frozen FROM old_rows o JOIN billing_periods bp ON bp.id = o.period_id WHERE bp.status = 'closed' LIMIT 1;
  IF frozen IS NOT NULL THEN PERFORM billing_period_frozen_error(frozen, 'DELETE'); END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION charges_frozen_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  frozen date;
BEGIN
  SELECT month INTO frozen FROM billing_periods WHERE status = 'closed' ORDER BY month LIMIT 1;
  IF frozen IS NOT NULL THEN PERFORM billing_period_frozen_error(frozen, 'TRUNCATE'); END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER charges_frozen_ins AFTER INSERT ON charges
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION charges_frozen_on_insert();
--> statement-breakpoint
CREATE TRIGGER charges_frozen_upd AFTER UPDATE ON charges
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION charges_frozen_on_update();
--> statement-breakpoint
CREATE TRIGGER charges_frozen_del AFTER DELETE ON charges
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION charges_frozen_on_delete();
--> statement-breakpoint
CREATE TRIGGER charges_frozen_trunc BEFORE TRUNCATE ON charges
  FOR EACH STATEMENT EXECUTE FUNCTION charges_frozen_on_truncate();
--> statement-breakpoint
-- The period row: closing (open -> closed) is the one allowed change of state; once closed,
-- nothing about it changes (no reopening, no new closed_at or closed_by) and it is not deleted.
CREATE OR REPLACE FUNCTION billing_periods_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM billing_periods WHERE status = 'closed') THEN
      PERFORM billing_period_frozen_error((SELECT min(month) FROM billing_periods WHERE status = 'closed'), 'TRUNCATE');
    END IF;
    RETURN NULL;
  END IF;
  IF OLD.status = 'closed' THEN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
    PERFORM billing_period_frozen_error(OLD.month, CASE WHEN TG_OP = 'UPDATE' AND NEW.status <> 'closed' THEN 'reopening' ELSE TG_OP END);
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER billing_periods_frozen_row BEFORE UPDATE OR DELETE ON billing_periods
  FOR EACH ROW EXECUTE FUNCTION billing_periods_frozen();
--> statement-breakpoint
CREATE TRIGGER billing_periods_frozen_trunc BEFORE TRUNCATE ON billing_periods
  FOR EACH STATEMENT EXECUTE FUNCTION billing_periods_frozen();
