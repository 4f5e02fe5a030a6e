import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { billingPeriods, charges } from "@/db/schema";
import { enableAppRole } from "@/lib/launcher/database";
import { createTestDatabase } from "@/lib/testing/db";
import { closePeriod, createAdjustment, recomputePeriodCharges } from "./charges";
import { createBillingWorld } from "./test-fixtures";

/**
 * "Charges become immutable" at the database level (migration 0008): whatever connects — the
 * owner, as here, or the app's role — cannot change a closed period's charges or reopen it.
 */
const t = await createTestDatabase();
const db = t.db;
const at = (iso: string) => new Date(iso);

/** The refusal's message and SQLSTATE (drizzle wraps the driver error; they are on its cause). */
async function refusal(run: () => Promise<unknown>): Promise<{ message: string; code?: string }> {
  try {
    await run();
  } catch (err) {
    const cause = (err as { cause?: { message: string; code?: string } }).cause ?? (err as { message: string; code?: string });
    return { message: cause.message, code: cause.code };
  }
  throw new Error("the statement was not refused");
}

const w = await createBillingWorld(db);
const flat = await w.plan({ priceModel: "flat_monthly", priceMinor: 3100 });
const sub = await w.subscription({ planId: flat.id, activatedAt: at("2032-01-01T00:00:00Z") });
await recomputePeriodCharges(db, "2032-01");
await closePeriod(db, w.users.finance, "2032-01", { now: at("2032-02-01T01:00:00Z") });
const [jan] = await db.select().from(billingPeriods).where(eq(billingPeriods.month, "2032-01-01"));
const [janLine] = await db.select().from(charges).where(eq(charges.periodId, jan!.id));

describe("closed periods are frozen by the database", () => {
  it("refuses to update, delete or add a closed period's charges", async () => {
    for (const statement of [
      sql`update charges set amount_minor = 1 where id = ${janLine!.id}`,
      sql`update charges set description = 'edited' where period_id = ${jan!.id}`,
      sql`delete from charges where id = ${janLine!.id}`,
      sql`insert into charges (period_id, subscription_id, plan_id, product_id, team_id, kind, amount_minor, currency)
          values (${jan!.id}, ${sub.id}, ${flat.id}, ${w.product.id}, ${w.teams.teamA.id}, 'adjustment', -5, 'EUR')`,
      sql`truncate charges`,
    ]) {
      const r = await refusal(() => db.execute(statement));
      expect(r.message).toMatch(/billing period 2032-01 is closed: its charges are immutable \((UPDATE|DELETE|INSERT|TRUNCATE) refused\)/);
      expect(r.code).toBe("23000");
    }
    // A statement that touches an open period and a closed one is refused as a whole.
    await recomputePeriodCharges(db, "2032-02");
    const r = await refusal(() => db.execute(sql`delete from charges where subscription_id = ${sub.id}`));
    expect(r.message).toMatch(/2032-01 is closed/);
    const [after] = await db.select().from(charges).where(eq(charges.id, janLine!.id));
    expect(after).toEqual(janLine);
  });

  it("refuses to reopen, alter or delete a closed period", async () => {
    expect((await refusal(() => db.update(billingPeriods).set({ status: "open" }).where(eq(billingPeriods.id, jan!.id)))).message).toMatch(
      /2032-01 is closed: its charges are immutable \(reopening refused\)/,
    );
    expect((await refusal(() => db.update(billingPeriods).set({ closedAt: new Date() }).where(eq(billingPeriods.id, jan!.id)))).message).toMatch(
      /\(UPDATE refused\)/,
    );
    expect((await refusal(() => db.delete(billingPeriods).where(eq(billingPeriods.id, jan!.id)))).message).toMatch(/\(DELETE refused\)/);
    expect((await refusal(() => db.execute(sql`truncate billing_periods cascade`))).message).toMatch(/\(TRUNCATE refused\)/);
    const [still] = await db.select().from(billingPeriods).where(eq(billingPeriods.id, jan!.id));
    expect(still).toEqual(jan);
  });

  it("leaves open periods writable: recompute, adjustments and the close itself", async () => {
    const before = await db.select().from(charges).where(eq(charges.periodId, jan!.id));
    await recomputePeriodCharges(db, "2032-02");
    const adj = await createAdjustment(db, w.users.finance, { chargeId: janLine!.id, amountMinor: -100, reason: "Credit" }, { now: at("2032-02-10T00:00:00Z") });
    expect(adj.bookedIn).toBe("2032-02");
    await closePeriod(db, w.users.finance, "2032-02", { now: at("2032-03-01T00:30:00Z") });
    const [feb] = await db.select().from(billingPeriods).where(eq(billingPeriods.month, "2032-02-01"));
    expect(feb!.status).toBe("closed");
    // The adjustment is now frozen too.
    expect((await refusal(() => db.delete(charges).where(eq(charges.id, adj.id)))).message).toMatch(/2032-02 is closed/);
    expect(await db.select().from(charges).where(eq(charges.periodId, jan!.id))).toEqual(before);
  });
});

// The app's own role, which cannot disable the triggers either (it owns no table).
const appSql = postgres(await enableAppRole(t.url, "tributary-app-test"), { max: 1, onnotice: () => {} });
afterAll(() => appSql.end({ timeout: 5 }));

describe("for the app's role (tributary_app)", () => {
  it("is refused the same way and may not disable the triggers", async () => {
    await expect(appSql`update charges set amount_minor = 1 where id = ${janLine!.id}`).rejects.toMatchObject({ code: "23000" });
    await expect(appSql`update billing_periods set status = 'open' where id = ${jan!.id}`).rejects.toMatchObject({
      message: expect.stringMatching(/reopening refused/),
    });
    await expect(appSql.unsafe("alter table charges disable trigger charges_frozen_upd")).rejects.toMatchObject({ message: expect.stringMatching(/must be owner/) });
    const [row] = await db.select().from(charges).where(eq(charges.id, janLine!.id));
    expect(row!.amountMinor).toBe(janLine!.amountMinor);
  });
});
