import { describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";
import { recomputePeriodCharges } from "./charges";
import { financeCsv, financeCsvCell } from "./csv";
import { getChargebackRows, loadFinancePage } from "./queries";
import { createBillingWorld } from "./test-fixtures";

const t = await createTestDatabase();
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock("next-auth", () => ({ getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-tributary-path": "/finance" }) }));
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: () => t.db }));
const { GET } = await import("@/app/api/finance/chargeback.csv/route");

const w = await createBillingWorld(t.db);
const gb = await w.plan({ priceModel: "per_gb", priceMinor: 1000 });
const usd = await w.plan({ priceModel: "flat_monthly", priceMinor: 5000, currency: "USD" });
const s1 = await w.subscription({ planId: gb.id, activatedAt: new Date("2032-01-01T00:00:00Z") });
await w.subscription({ planId: usd.id, teamId: w.teams.teamB.id, activatedAt: new Date("2032-01-01T00:00:00Z") });
await w.usage(s1.id, new Date("2032-01-03T00:00:00Z"), { bytes: 1_234_560_000 });
await recomputePeriodCharges(t.db, "2032-01");

const get = (qs: string) => GET(new Request(`http://localhost/api/finance/chargeback.csv?${qs}`));

describe("finance data functions", () => {
  it("refuse consumers and owners, and serve finance and admins", async () => {
    for (const u of [w.users.consumer, w.users.owner]) {
      await expect(getChargebackRows(t.db, u, "cost-center", { period: "2032-01" })).rejects.toMatchObject({ code: "forbidden" });
      await expect(loadFinancePage(t.db, u, { period: "2032-01" })).rejects.toMatchObject({ code: "forbidden" });
    }
    const rows = await getChargebackRows(t.db, w.users.admin, "cost-center", { period: "2032-01" });
    expect(rows.map((r) => [r.label, r.totals])).toEqual([
      [w.costCenters.ccB.code, [{ currency: "USD", amountMinor: 5000 }]],
      [w.costCenters.ccA.code, [{ currency: "EUR", amountMinor: 1235 }]],
    ]);
    const page = await loadFinancePage(t.db, w.users.finance, { period: "2032-01", costCenter: w.costCenters.ccA.id, team: w.teams.teamA.id }, new Date("2032-01-10T00:00:00Z"));
    expect(page?.level).toBe("subscription");
    expect(page?.lines.map((l) => l.amountMinor)).toEqual([1235]);
    expect(page?.totals).toEqual([{ currency: "EUR", amountMinor: 1235 }]);
  });
});

describe("GET /api/finance/chargeback.csv", () => {
  it("answers 401 signed out and 403 to consumers and owners", async () => {
    session.userId = null;
    expect((await get("period=2032-01&level=team")).status).toBe(401);
    for (const u of [w.users.consumer, w.users.owner]) {
      session.userId = u.id;
      expect((await get("period=2032-01&level=team")).status).toBe(403);
    }
  });

  it("refuses bad parameters with field errors", async () => {
    session.userId = w.users.finance.id;
    const res = await get("period=2032-13&level=galaxy");
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(Object.keys(body.error.fieldErrors).sort()).toEqual(["level", "period"]);
  });

  it("exports decimal amounts per currency with a BOM and CRLF", async () => {
    session.userId = w.users.finance.id;
    const res = await get("period=2032-01&level=cost-center");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("period,cost_center_code,cost_center_name,currency,amount,charge_lines");
    expect(lines).toContain(`2032-01,${w.costCenters.ccA.code},${w.costCenters.ccA.name},EUR,12.35,1`);
    expect(lines).toContain(`2032-01,${w.costCenters.ccB.code},${w.costCenters.ccB.name},USD,50.00,1`);
  });
});

describe("CSV cells", () => {
  it("quote per RFC 4180 and defuse formulas, but keep numbers numeric", () => {
    expect(financeCsvCell('Team "A", North')).toBe('"Team ""A"", North"');
    expect(financeCsvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(financeCsvCell("=HYPERLINK(\"x\")")).toBe(`"'=HYPERLINK(""x"")"`);
    expect(financeCsvCell("+cmd")).toBe("'+cmd");
    expect(financeCsvCell("-2+3")).toBe("'-2+3");
    expect(financeCsvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(financeCsvCell("\tx")).toBe("'\tx");
    expect(financeCsvCell("-12.50")).toBe("-12.50");
    expect(financeCsvCell(42)).toBe("42");
    expect(financeCsv(["a"], [["é"]])).toBe("\uFEFFa\r\né\r\n");
  });
});
