import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";
import { catalogFacets, getCatalogProduct, searchCatalog, suggestCatalogQuery } from "./queries";
import { defaultCatalogParams, parseCatalogSearchParams, type CatalogParams } from "./schemas";
import { loadCatalogView, loadProductView } from "./service";
import { createProduct, createTeam } from "./test-fixtures";

const t = await createTestDatabase();
const db = t.db;
const internal = { external: false };
const external = { external: true };
const params = (over: Partial<CatalogParams>): CatalogParams => ({ ...defaultCatalogParams, ...over });

const netTeam = await createTeam(db, "Network Analytics");
const payTeam = await createTeam(db, "Payments Engineering");

await createProduct(db, {
  slug: "cell-kpis",
  name: "Network Cell KPIs",
  summary: "Per-cell radio quality every minute",
  domain: "network",
  tags: ["telco", "kpi"],
  fieldNames: ["cell.id", "signal.rsrp"],
  teamId: netTeam.id,
  classification: "internal",
  publishedAt: new Date("2026-03-01T00:00:00Z"),
  plans: [{ priceModel: "free", approval: "auto" }, { priceModel: "per_gb", priceMinor: 250, approval: "manual", externalAllowed: true }],
});
await createProduct(db, {
  slug: "payment-events",
  name: "Payment Events",
  summary: "Card and transfer payments as they settle",
  description: "Collected from every branch of our payment network in near real time.",
  domain: "payments",
  tags: ["bank"],
  fieldNames: ["payer.iban", "amount.value"],
  teamId: payTeam.id,
  classification: "confidential",
  publishedAt: new Date("2026-02-01T00:00:00Z"),
  plans: [{ priceModel: "per_million_messages", priceMinor: 900, approval: "manual" }],
});
await createProduct(db, {
  slug: "sim-swap-alerts",
  name: "SIM Swap Fraud Alerts",
  summary: "Suspicious SIM swaps scored for fraud risk",
  domain: "fraud",
  tags: ["telco", "fraud"],
  fieldNames: ["subscriber.msisdn", "subscriber.imsi", "risk_score"],
  teamId: netTeam.id,
  classification: "restricted",
  publishedAt: new Date("2026-04-01T00:00:00Z"),
  plans: [{ priceModel: "flat_monthly", priceMinor: 50000, approval: "manual", externalAllowed: true }],
});
await createProduct(db, {
  slug: "old-network-feed",
  name: "Legacy Network Feed",
  domain: "network",
  tags: ["telco"],
  status: "deprecated",
  teamId: netTeam.id,
  publishedAt: new Date("2025-01-01T00:00:00Z"),
});
await createProduct(db, { slug: "secret-draft", name: "Network Draft Product", domain: "network", status: "draft", teamId: netTeam.id });
await createProduct(db, { slug: "retired-thing", name: "Network Retired Product", domain: "network", status: "retired", teamId: netTeam.id });

const slugs = (page: { items: { slug: string }[] }) => page.items.map((i) => i.slug);

describe("catalog search", () => {
  it("ranks a name match above a description match", async () => {
    const r = await searchCatalog(db, params({ q: "network" }), internal);
    expect(slugs(r)).toContain("payment-events");
    expect(slugs(r).indexOf("cell-kpis")).toBeLessThan(slugs(r).indexOf("payment-events"));
  });

  it("ranks deprecated products below live ones with an equally good match", async () => {
    const r = await searchCatalog(db, params({ q: "network" }), internal);
    expect(slugs(r).indexOf("cell-kpis")).toBeLessThan(slugs(r).indexOf("old-network-feed"));
    expect(r.items.find((i) => i.slug === "old-network-feed")?.status).toBe("deprecated");
  });

  it("finds products by contract field names", async () => {
    expect(slugs(await searchCatalog(db, params({ q: "msisdn" }), internal))).toEqual(["sim-swap-alerts"]);
    expect(slugs(await searchCatalog(db, params({ q: "iban" }), internal))).toEqual(["payment-events"]);
    expect(slugs(await searchCatalog(db, params({ q: "rsrp" }), internal))).toEqual(["cell-kpis"]);
  });

  it("requires every word and matches the last one as a prefix", async () => {
    expect(slugs(await searchCatalog(db, params({ q: "fraud alert" }), internal))).toEqual(["sim-swap-alerts"]);
    expect(slugs(await searchCatalog(db, params({ q: "payment netw" }), internal))).toEqual(["payment-events"]);
    expect(slugs(await searchCatalog(db, params({ q: "sim-swap" }), internal))).toEqual(["sim-swap-alerts"]);
  });

  it("hides drafts and retired products from search and from the product page", async () => {
    const r = await searchCatalog(db, params({ q: "network" }), internal);
    expect(slugs(r)).not.toContain("secret-draft");
    expect(slugs(r)).not.toContain("retired-thing");
    const all = await searchCatalog(db, params({}), internal);
    expect(all.total).toBe(4);
    expect(await getCatalogProduct(db, "secret-draft", internal)).toBeNull();
    expect(await getCatalogProduct(db, "retired-thing", internal)).toBeNull();
    expect(await getCatalogProduct(db, "cell-kpis", internal)).not.toBeNull();
  });

  it("combines filters: within a facet OR, across facets AND", async () => {
    const telco = await searchCatalog(db, params({ tags: ["telco"] }), internal);
    expect(slugs(telco).sort()).toEqual(["cell-kpis", "old-network-feed", "sim-swap-alerts"]);
    const telcoOrBank = await searchCatalog(db, params({ tags: ["telco", "bank"] }), internal);
    expect(telcoOrBank.total).toBe(4);
    const combined = await searchCatalog(db, params({ tags: ["telco"], priceModels: ["per_gb"], approvals: ["manual"] }), internal);
    expect(slugs(combined)).toEqual(["cell-kpis"]);
    const byTeam = await searchCatalog(db, params({ teams: [payTeam.slug], classifications: ["confidential"] }), internal);
    expect(slugs(byTeam)).toEqual(["payment-events"]);
    const none = await searchCatalog(db, params({ domains: ["payments"], tags: ["telco"] }), internal);
    expect(none.total).toBe(0);
  });

  it("sorts by name and by newest", async () => {
    expect(slugs(await searchCatalog(db, params({ sort: "name" }), internal))).toEqual([
      "old-network-feed",
      "cell-kpis",
      "payment-events",
      "sim-swap-alerts",
    ]);
    expect(slugs(await searchCatalog(db, params({ sort: "newest" }), internal))[0]).toBe("sim-swap-alerts");
  });

  it("summarises plans on each card: free wins, else the cheapest, and the approval modes", async () => {
    const r = await searchCatalog(db, params({}), internal);
    const cell = r.items.find((i) => i.slug === "cell-kpis")!;
    expect(cell.cheapestPlan).toEqual({ priceModel: "free", priceMinor: 0, currency: "EUR" });
    expect(cell.approvals.sort()).toEqual(["auto", "manual"]);
    expect(cell.team.name).toBe("Network Analytics");
    const pay = r.items.find((i) => i.slug === "payment-events")!;
    expect(pay.cheapestPlan).toEqual({ priceModel: "per_million_messages", priceMinor: 900, currency: "EUR" });
  });

  it("shows external organisations only products and plans open to them", async () => {
    const r = await searchCatalog(db, params({}), external);
    expect(slugs(r).sort()).toEqual(["cell-kpis", "sim-swap-alerts"]);
    expect(r.items.find((i) => i.slug === "cell-kpis")!.cheapestPlan?.priceModel).toBe("per_gb");
    expect(await getCatalogProduct(db, "payment-events", external)).toBeNull();
    const cell = await getCatalogProduct(db, "cell-kpis", external);
    expect(cell?.plans.map((p) => p.priceModel)).toEqual(["per_gb"]);
  });
});

describe("catalog facets", () => {
  it("counts values over the current matches", async () => {
    const f = await catalogFacets(db, params({ q: "telco" }), internal);
    expect(f.domains).toEqual([
      { value: "network", label: "network", count: 2 },
      { value: "fraud", label: "fraud", count: 1 },
    ]);
    expect(f.classifications.map((c) => [c.value, c.count]).sort()).toEqual([
      ["internal", 2],
      ["restricted", 1],
    ]);
    expect(f.priceModels.find((p) => p.value === "free")?.count).toBe(2);
    expect(f.priceModels.find((p) => p.value === "per_gb")).toMatchObject({ count: 1, label: "Per GB" });
    expect(f.approvals.find((a) => a.value === "manual")?.count).toBe(2);
    expect(f.teams).toEqual([{ value: netTeam.slug, label: "Network Analytics", count: 3 }]);
    expect(f.tags.find((x) => x.value === "telco")?.count).toBe(3);
  });

  it("counts a facet with a selection as if that selection were not made", async () => {
    const f = await catalogFacets(db, params({ domains: ["fraud"] }), internal);
    // Other domains stay visible with their counts, so a second domain can be added.
    expect(f.domains.map((d) => [d.value, d.count])).toEqual([
      ["network", 2],
      ["fraud", 1],
      ["payments", 1],
    ]);
    // Other facets are narrowed by the domain selection.
    expect(f.classifications.map((c) => c.value)).toEqual(["restricted"]);
  });

  it("keeps a selected value that has no matches so it can be removed", async () => {
    const f = await catalogFacets(db, params({ domains: ["nonexistent"] }), internal);
    expect(f.domains.find((d) => d.value === "nonexistent")).toMatchObject({ count: 0 });
  });
});

describe("pagination", () => {
  it("pages through many matches without overlap or gaps", async () => {
    const team = await createTeam(db, "Bulk Team");
    for (let i = 0; i < 25; i++) {
      await createProduct(db, { slug: `zebra-stream-${String(i).padStart(2, "0")}`, name: `Zebra Stream ${i}`, domain: "zoo", teamId: team.id });
    }
    const p1 = await searchCatalog(db, params({ q: "zebra", page: 1 }), internal);
    const p2 = await searchCatalog(db, params({ q: "zebra", page: 2 }), internal);
    expect(p1.total).toBe(25);
    expect(p1.pageCount).toBe(2);
    expect(p1.items).toHaveLength(20);
    expect(p2.items).toHaveLength(5);
    expect(new Set([...slugs(p1), ...slugs(p2)]).size).toBe(25);
    const view = await loadCatalogView(db, { q: "zebra", page: "9" }, internal);
    expect(view.params.page).toBe(2);
    expect(view.results.items).toHaveLength(5);
  });
});

describe("suggestions", () => {
  it("suggests the right spelling for a typo", async () => {
    expect((await searchCatalog(db, params({ q: "netwrok" }), internal)).total).toBe(0);
    const s = await suggestCatalogQuery(db, params({ q: "netwrok" }), internal);
    expect(s?.q).toBe("network");
    expect(s!.total).toBeGreaterThan(0);
    const view = await loadCatalogView(db, { q: "fraud alrets" }, internal);
    expect(view.results.total).toBe(0);
    expect(view.suggestion?.q).toBe("fraud alerts");
  });

  it("offers nothing when no spelling would help", async () => {
    expect(await suggestCatalogQuery(db, params({ q: "qqqqxxxx" }), internal)).toBeNull();
  });
});

describe("bad input", () => {
  const nasty = [
    `"unterminated`,
    `\\`,
    `\\\\'\\"`,
    `%`,
    `_`,
    `%_%`,
    `'; drop table data_products; --`,
    `network' or '1'='1`,
    `a & b | !c <-> d:*`,
    `():*&|!<>`,
    `🚀📡`,
    `network 🚀`,
    `\u0000null byte`,
    `x`.repeat(10_000),
    `network `.repeat(1_500),
    `ÜBER straße`,
    `$1 $2 ?`,
  ];
  it.each(nasty.map((q) => [q.length > 40 ? `${q.slice(0, 20)}… (${q.length} chars)` : q, q]))("handles %s", async (_label, q) => {
    const view = await loadCatalogView(db, { q, page: "1" }, internal);
    expect(view.params.q.length).toBeLessThanOrEqual(200);
    expect(view.results.total).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(view.facets.domains)).toBe(true);
  });

  it("explains a cut query and a query with nothing to search for", async () => {
    const long = await loadCatalogView(db, { q: "network ".repeat(2000) }, internal);
    expect(long.notes.map((n) => n.kind)).toContain("query_truncated");
    expect(long.results.total).toBeGreaterThan(0);
    const symbols = await loadCatalogView(db, { q: "%%% ''' 🚀" }, internal);
    expect(symbols.notes.map((n) => n.kind)).toContain("query_no_terms");
    expect(symbols.results.total).toBe(await (await searchCatalog(db, params({}), internal)).total);
  });

  it("treats SQL and tsquery syntax as plain words", async () => {
    const r = await searchCatalog(db, params({ q: "'; drop table data_products; --" }), internal);
    expect(r.total).toBe(0);
    const still = await db.execute<{ n: number }>(sql`select count(*)::int as n from data_products`);
    expect(Number(still[0].n)).toBeGreaterThan(0);
    expect(slugs(await searchCatalog(db, params({ q: "msisdn:* | !" }), internal))).toEqual(["sim-swap-alerts"]);
  });

  it("falls back to defaults for malformed params", () => {
    const { params: p } = parseCatalogSearchParams({
      page: "-3",
      sort: "drop table",
      class: ["secret", "public"],
      price: "gratis",
      team: "Not A Slug!",
      domain: ["network", "network", ""],
      q: ["first", "second"],
    });
    expect(p).toMatchObject({ page: 1, sort: "relevance", classifications: ["public"], priceModels: [], teams: [], domains: ["network"], q: "first" });
    expect(parseCatalogSearchParams({ page: "1e9" }).params.page).toBe(500);
    expect(parseCatalogSearchParams({ page: "2.5" }).params.page).toBe(1);
  });

  it("gives null for unknown or malformed slugs", async () => {
    expect(await loadProductView(db, "no-such-product", internal)).toBeNull();
    expect(await loadProductView(db, "../../etc/passwd", internal)).toBeNull();
    expect(await loadProductView(db, "x".repeat(5000), internal)).toBeNull();
  });
});

describe("product view", () => {
  it("loads the product with team, contract, plans and a schema tree", async () => {
    const team = await createTeam(db, "Schema Team");
    await createProduct(db, {
      slug: "with-schema",
      name: "With Schema",
      teamId: team.id,
      schema: {
        type: "object",
        required: ["subscriber"],
        properties: { subscriber: { type: "object", required: ["msisdn"], properties: { msisdn: { type: "string" } } } },
      },
      fields: [{ path: "subscriber.msisdn", type: "string", required: true, description: "Phone number", pii: "direct" }],
      plans: [{ priceModel: "per_gb", priceMinor: 199 }],
    });
    const v = await loadProductView(db, "with-schema", internal);
    expect(v?.team.name).toBe("Schema Team");
    expect(v?.contract?.version).toBe("1.0.0");
    expect(v?.plans[0]).toMatchObject({ priceModel: "per_gb", priceMinor: 199, tier: { name: "standard" } });
    expect(v?.schemaTree[0].children[0]).toMatchObject({ path: "subscriber.msisdn", pii: "direct", required: true, description: "Phone number" });
    expect(v?.piiCounts.direct).toBe(1);
  });
});

// At module level: createTestDatabase registers the drop in afterAll, which a test body cannot.
const empty = await createTestDatabase();

describe("an empty catalog", () => {
  it("is reported as empty, not as no results", async () => {
    const view = await loadCatalogView(empty.db, {}, internal);
    expect(view.catalogEmpty).toBe(true);
    expect(view.results.total).toBe(0);
    const filtered = await loadCatalogView(db, { q: "qqqqxxxx" }, internal);
    expect(filtered.catalogEmpty).toBe(false);
  });
});

describe("large results", () => {
  // Passing a huge planner estimate forces the large-result strategy on this small data set.
  const huge = 1_000_000;

  it("ranks name matches first and pins the total down when the page runs short", async () => {
    const r = await searchCatalog(db, params({ q: "network" }), internal, huge);
    expect(slugs(r)[0]).toBe("cell-kpis");
    expect(slugs(r)).toContain("old-network-feed");
    expect(r.totalIsEstimate).toBe(false);
    expect(r.total).toBe(r.items.length);
  });

  it("reports the estimate when the page is full, and samples facets", async () => {
    const team = await createTeam(db, "Estimate Team");
    for (let i = 0; i < 21; i++) {
      await createProduct(db, { slug: `quokka-${i}`, name: `Quokka Feed ${i}`, domain: "wildlife", teamId: team.id });
    }
    const r = await searchCatalog(db, params({ q: "quokka" }), internal, 12_345);
    expect(r.items).toHaveLength(20);
    expect(r.totalIsEstimate).toBe(true);
    expect(r.total).toBe(12_000);
    const f = await catalogFacets(db, params({ q: "quokka" }), internal, 12_345);
    expect(f.sampled).toBe(true);
    expect(f.domains).toEqual([{ value: "wildlife", label: "wildlife", count: 21 }]);
    const exact = await catalogFacets(db, params({ q: "quokka" }), internal, 21);
    expect(exact.sampled).toBe(false);
  });
});

describe("long facets", () => {
  it("keep a selected value with its real count even when it is not among the top values", async () => {
    const team = await createTeam(db, "Tag Team");
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 2; j++) {
        await createProduct(db, { slug: `tagged-${i}-${j}`, name: `Tagged ${i} ${j}`, tags: [`common-${i}`], teamId: team.id });
      }
    }
    await createProduct(db, { slug: "rarely-tagged", name: "Rarely Tagged", tags: ["rare-tag"], teamId: team.id });
    const f = await catalogFacets(db, params({ tags: ["rare-tag"] }), internal);
    expect(f.tags.find((t) => t.value === "rare-tag")).toEqual({ value: "rare-tag", label: "rare-tag", count: 1 });
    const unselected = await catalogFacets(db, params({ teams: [team.slug] }), internal);
    expect(unselected.tags.find((t) => t.value === "rare-tag")).toBeUndefined();
  });
});
