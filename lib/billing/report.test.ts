import { describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";
import { recomputePeriodCharges } from "./charges";
import { eq } from "drizzle-orm";
import { costCenters, dataProducts, maskingTiers, plans, subscriptions } from "@/db/schema";
import { financeCsv, financeCsvCell, wouldBeCoerced } from "./csv";
import { CHARGE_LINES_PAGE_SIZE, getChargeLines, getChargebackRows, loadFinancePage } from "./queries";
import { FinanceQuerySchema } from "./schemas";
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { FinanceScreen } from "@/components/finance/finance-screen";

const stubRouter = { back() {}, forward() {}, refresh() {}, hmrRefresh() {}, push() {}, replace() {}, prefetch() {} } as unknown as AppRouterInstance;
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
    expect(lines[0]).toBe("period_start,period_end,cost_center_code,cost_center_name,currency,amount,charge_lines");
    expect(lines).toContain(`2032-01-01,2032-01-31,${w.costCenters.ccA.code},${w.costCenters.ccA.name},EUR,12.35,1`);
    expect(lines).toContain(`2032-01-01,2032-01-31,${w.costCenters.ccB.code},${w.costCenters.ccB.name},USD,50.00,1`);
  });

  it("exports showback by owning team, and keeps numeric-looking codes as text", async () => {
    session.userId = w.users.finance.id;
    const byOwner = await get("period=2032-01&level=owner-team");
    expect(byOwner.status).toBe(200);
    expect(byOwner.headers.get("content-disposition")).toContain("chargeback-2032-01-owner-team.csv");
    const owner = (await byOwner.text()).replace(/^\uFEFF/, "").split("\r\n");
    expect(owner[0]).toBe("period_start,period_end,owning_team_name,owning_team,currency,amount,charge_lines");
    expect(owner).toContain(`2032-01-01,2032-01-31,${w.teams.ownerTeam.name},${w.teams.ownerTeam.slug},EUR,12.35,2`);
    expect(owner).toContain(`2032-01-01,2032-01-31,${w.teams.ownerTeam.name},${w.teams.ownerTeam.slug},USD,50.00,2`);

    // A cost center whose code a spreadsheet would turn into a number.
    await t.db.update(costCenters).set({ code: "0100" }).where(eq(costCenters.id, w.costCenters.ccA.id));
    const text = await (await get("period=2032-01&level=cost-center")).text();
    expect(text).toContain(`2032-01-01,2032-01-31,"=""0100""",${w.costCenters.ccA.name},EUR,12.35,1`);
    const subs = (await (await get("period=2032-01&level=subscription")).text()).split("\r\n");
    expect(subs[0]).toBe(
      "period_start,period_end,cost_center_code,cost_center_name,team,team_name,subscription_id,product,product_name,owning_team,plan,kind,quantity,currency,amount,description,compensates_charge_id",
    );
    expect(subs.find((l) => l.includes(s1.id))).toMatch(/^2032-01-01,2032-01-31,"=""0100""",.*,usage,1\.23456,EUR,12\.35,/);
  });
});

describe("CSV cells", () => {
  it("quote per RFC 4180 and defuse formulas in text", () => {
    expect(financeCsvCell('Team "A", North')).toBe('"Team ""A"", North"');
    expect(financeCsvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(financeCsvCell("=HYPERLINK(\"x\")")).toBe(`"'=HYPERLINK(""x"")"`);
    expect(financeCsvCell("+cmd")).toBe("'+cmd");
    expect(financeCsvCell("-2+3")).toBe("'-2+3");
    expect(financeCsvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(financeCsvCell("\tx")).toBe("'\tx");
    expect(financeCsv([{ name: "a", type: "text" }], [["é"]])).toBe("\uFEFFa\r\né\r\n");
  });

  it("keep numbers and ISO dates as they are, and refuse anything else in those columns", () => {
    expect(financeCsvCell("-12.50", "number")).toBe("-12.50");
    expect(financeCsvCell(42, "number")).toBe("42");
    expect(() => financeCsvCell("12,50", "number")).toThrow();
    expect(financeCsvCell("2026-10-01", "date")).toBe("2026-10-01");
    expect(() => financeCsvCell("2026-10", "date")).toThrow();
  });

  it("keep codes a spreadsheet would convert as text, without opening a door to formulas", () => {
    for (const code of ["0100", "1050", "1e5", "2026-10", "10/11", "1-2", "12:30", "Oct-26", "1-Mar", "TRUE", "5%", "-7"]) {
      expect(financeCsvCell(code, "code"), code).toBe(`"=""${code}"""`);
    }
    for (const code of ["CC-1050", "customer-care", "5g-slice-slas", "3f2a9c1e-7b4d-4e8a-9c1f-2d3e4f5a6b7c"]) {
      expect(financeCsvCell(code, "code"), code).toBe(code);
    }
    // A numeric-looking value with anything outside the safe characters is plain, defused text.
    expect(financeCsvCell('1"+HYPERLINK("x")', "code")).toBe(`"1""+HYPERLINK(""x"")"`);
    expect(financeCsvCell("=1+1", "code")).toBe("'=1+1");
    expect(financeCsvCell("-1+1", "code")).toBe("'-1+1");
    expect(wouldBeCoerced("CC-1050")).toBe(false);
  });
});

describe("showback drill-down", () => {
  it("narrows the products to one owning team's, with that team's revenue trend; an unknown team is a 404", async () => {
    // A second product, owned by another team, with one charged subscription.
    const [other] = await t.db
      .insert(dataProducts)
      .values({ slug: `other-${w.tag}`, name: `Other ${w.tag}`, domain: "network", ownerTeamId: w.teams.teamB.id, status: "published" })
      .returning();
    const [tier] = await t.db.insert(maskingTiers).values({ productId: other!.id, name: "internal" }).returning();
    const [plan] = await t.db.insert(plans).values({ productId: other!.id, tierId: tier!.id, name: "Flat", priceModel: "flat_monthly", priceMinor: 700 }).returning();
    await t.db.insert(subscriptions).values({
      productId: other!.id,
      planId: plan!.id,
      tierId: tier!.id,
      contractMajor: 1,
      teamId: w.teams.teamA.id,
      createdBy: w.users.consumer.id,
      state: "active",
      purpose: "analytics",
      activatedAt: new Date("2032-01-01T00:00:00Z"),
    });
    await recomputePeriodCharges(t.db, "2032-01");
    const now = new Date("2032-01-10T00:00:00Z");
    const all = await loadFinancePage(t.db, w.users.finance, { period: "2032-01" }, now);
    expect(all!.products.map((r) => r.label).sort()).toEqual([w.product.name, other!.name].sort());
    expect(all!.providers.map((r) => r.label).sort()).toEqual([w.teams.ownerTeam.name, w.teams.teamB.name].sort());
    expect(all!.ownerTrend).toEqual([]);

    const drilled = await loadFinancePage(t.db, w.users.finance, { period: "2032-01", owner: w.teams.teamB.id }, now);
    expect(drilled!.crumbs.owner).toEqual({ key: w.teams.teamB.id, label: w.teams.teamB.name });
    expect(drilled!.products.map((r) => [r.label, r.totals])).toEqual([[other!.name, [{ currency: "EUR", amountMinor: 700 }]]]);
    expect(drilled!.ownerTrend).toEqual([{ currency: "EUR", points: expect.arrayContaining([{ period: "2032-01", amountMinor: 700 }]) }]);
    // The chargeback itself is not narrowed by the showback drill-down.
    expect(drilled!.chargeback).toEqual(all!.chargeback);
    expect(await loadFinancePage(t.db, w.users.finance, { period: "2032-01", owner: "00000000-0000-4000-8000-000000000000" }, now)).toBeNull();

    session.userId = w.users.finance.id;
    const csv = (await (await get(`period=2032-01&level=product&owner=${w.teams.teamB.id}`)).text()).split("\r\n");
    expect(csv.slice(1).filter(Boolean)).toEqual([`2032-01-01,2032-01-31,${other!.name},${other!.slug},EUR,7.00,1`]);
  });
});

describe("charge lines of a team drilled into", () => {
  it("come 50 a page, in one total order with no line on two pages, the page clamped to the last", async () => {
    const flat = await w.plan({ priceModel: "flat_monthly", priceMinor: 700 });
    for (let i = 0; i < 61; i++) await w.subscription({ planId: flat.id, activatedAt: new Date("2033-03-01T00:00:00Z") });
    await recomputePeriodCharges(t.db, "2033-03");
    const f = { period: "2033-03", costCenter: w.costCenters.ccA.id, team: w.teams.teamA.id };
    const now = new Date("2033-03-20T00:00:00Z");
    const all = await getChargeLines(t.db, w.users.finance, f);
    expect(all.length).toBeGreaterThanOrEqual(61);
    const first = await loadFinancePage(t.db, w.users.finance, f, now);
    expect(first).toMatchObject({ level: "subscription", linesTotal: all.length, linesPage: 1, linesPageCount: Math.ceil(all.length / CHARGE_LINES_PAGE_SIZE) });
    expect(first!.lines).toHaveLength(CHARGE_LINES_PAGE_SIZE);
    const pages = [first!.lines];
    for (let p = 2; p <= first!.linesPageCount; p++) pages.push((await loadFinancePage(t.db, w.users.finance, f, now, p))!.lines);
    expect(pages.flat().map((l) => l.id)).toEqual(all.map((l) => l.id));
    // The totals are the team's, not the page's.
    expect(first!.totals).toEqual([{ currency: "EUR", amountMinor: all.reduce((s, l) => s + l.amountMinor, 0) }]);
    const past = await loadFinancePage(t.db, w.users.finance, f, now, 999);
    expect(past!.linesPage).toBe(first!.linesPageCount);
    expect(past!.lines.map((l) => l.id)).toEqual(pages[pages.length - 1].map((l) => l.id));
    // The page shows where it is and links to the next page, keeping the drill-down.
    const html = renderToString(createElement(AppRouterContext.Provider, { value: stubRouter }, createElement(FinanceScreen, { data: first!, filter: f, now })));
    expect(html).toContain(`Lines 1–50 of ${all.length}`);
    expect(html).toMatch(/aria-label="Pagination"/);
    expect(html).toMatch(new RegExp(`href="/finance\\?costCenter=${w.costCenters.ccA.id}&amp;page=2&amp;period=2033-03&amp;team=${w.teams.teamA.id}"`));
    expect((html.match(/data-testid="charge-line"/g) ?? []).length).toBe(CHARGE_LINES_PAGE_SIZE);
    expect(FinanceQuerySchema.parse({ page: "2" }).page).toBe(2);
    expect(FinanceQuerySchema.parse({ page: "-3" }).page).toBe(1);
    expect(FinanceQuerySchema.parse({ page: "x" }).page).toBe(1);
  });
});
