import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, dataProducts, organizations, teams } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { createTestDatabase } from "@/lib/testing/db";

const t = await createTestDatabase();

describe("schema migrations", () => {
  it("keeps a product's search vector up to date through the trigger", async () => {
    const [org] = await t.db.insert(organizations).values({ slug: "acme", name: "Acme", kind: "internal" }).returning();
    const [team] = await t.db.insert(teams).values({ slug: "net", name: "Network", orgId: org.id }).returning();
    await t.db.insert(dataProducts).values({
      slug: "cell-kpis",
      name: "Cell KPIs",
      domain: "network",
      ownerTeamId: team.id,
      fieldNames: ["cell.id", "subscriber.msisdn"],
    });
    const hit = await t.db
      .select({ slug: dataProducts.slug })
      .from(dataProducts)
      .where(sql`${dataProducts.searchVector} @@ plainto_tsquery('simple', 'msisdn')`);
    expect(hit.map((r) => r.slug)).toEqual(["cell-kpis"]);
    const miss = await t.db
      .select({ slug: dataProducts.slug })
      .from(dataProducts)
      .where(sql`${dataProducts.searchVector} @@ plainto_tsquery('simple', 'payments')`);
    expect(miss).toEqual([]);
  });

  it("refuses to update or delete audit entries through the append-only triggers", async () => {
    await recordAudit(t.db, { actor: { type: "system" }, action: "test.append", resource: { type: "test" } });
    // drizzle wraps the driver error; the database's own message is the cause.
    const causeOf = (p: Promise<unknown>) => p.then(() => "no error", (e: Error) => String((e.cause as Error)?.message));
    expect(await causeOf(t.db.update(auditLog).set({ action: "tampered" }))).toMatch(/append-only/);
    expect(await causeOf(t.db.delete(auditLog))).toMatch(/append-only/);
    const rows = await t.db.select().from(auditLog);
    expect(rows.map((r) => r.action)).toEqual(["test.append"]);
  });
});
