import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CatalogScreen } from "@/components/catalog/catalog-screen";
import { MarkdownText } from "@/components/catalog/markdown";
import { ProductScreen } from "@/components/catalog/product-screen";
import { createTestDatabase } from "@/lib/testing/db";
import { loadCatalogView, loadProductView } from "./service";
import { createProduct, createTeam } from "./test-fixtures";

const t = await createTestDatabase();
const db = t.db;
const viewer = { external: false };
const team = await createTeam(db, "Render Team");
for (let i = 0; i < 23; i++) {
  await createProduct(db, { slug: `render-${i}`, name: `Render Network Feed ${i}`, domain: "network", tags: ["telco"], teamId: team.id });
}
await createProduct(db, {
  slug: "render-schema",
  name: "Render Schema Product",
  domain: "network",
  teamId: team.id,
  description: "Hello <script>alert(1)</script> **bold** [bad](javascript:alert(1)) [good](https://example.com)",
  schema: { type: "object", properties: { msisdn: { type: "string" } } },
  fields: [{ path: "msisdn", type: "string", required: true, description: "Phone", pii: "direct" }],
  plans: [{ priceModel: "per_gb", priceMinor: 250 }],
});

describe("catalog page body", () => {
  it("renders results, facets and pagination links that keep the filters", async () => {
    const view = await loadCatalogView(db, { q: "network", tag: "telco" }, viewer);
    const html = renderToStaticMarkup(createElement(CatalogScreen, { view, signedIn: true }));
    expect(html).toContain("Render Network Feed");
    expect(html).toContain("23</span> products");
    expect(html).toContain('href="/catalog?page=2&amp;q=network&amp;tag=telco"');
    // The active tag chip removes only the tag.
    expect(html).toContain('href="/catalog?q=network"');
  });

  it("renders the suggestion for a typo and the note for a cut query", async () => {
    const view = await loadCatalogView(db, { q: `netwrok ${"x".repeat(300)}` }, viewer);
    const html = renderToStaticMarkup(createElement(CatalogScreen, { view, signedIn: false }));
    expect(html).toContain("longer than 200 characters");
    const typo = await loadCatalogView(db, { q: "netwrok" }, viewer);
    expect(renderToStaticMarkup(createElement(CatalogScreen, { view: typo, signedIn: true }))).toMatch(/Did you mean.*network/);
  });
});

describe("product page body", () => {
  it("renders the schema with PII badges, prices and safe markdown", async () => {
    const product = await loadProductView(db, "render-schema", viewer);
    const html = renderToStaticMarkup(createElement(ProductScreen, { product: product! }));
    expect(html).toContain(">direct identifier<");
    expect(html).toContain("€2.50 per GB");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("javascript:");
    expect(html).toContain('href="https://example.com"');
    // Signed out (public catalog): a way to sign in instead of a form.
    expect(html).toContain("Sign in to subscribe");
    const signedIn = renderToStaticMarkup(createElement(ProductScreen, { product: product!, viewer: { teams: [{ id: team.id, name: "Render Team" }] } }));
    expect(signedIn).not.toContain("Sign in to subscribe");
    expect(signedIn).toMatch(/>(Subscribe|Request access)</);
  });

  it("drops raw HTML from markdown", () => {
    const html = renderToStaticMarkup(createElement(MarkdownText, null, "<img src=x onerror=alert(1)> text"));
    expect(html).not.toContain("onerror");
    expect(html).toContain("text");
  });
});
