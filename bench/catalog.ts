/**
 * `npm run bench:catalog`: catalog search and page figures on 100,000 products.
 *
 * Creates its own database (on DATABASE_URL's server, or on an embedded PostgreSQL when unset),
 * migrates it, seeds the demo world plus N synthetic products, then times:
 *  - search: `searchCatalog` (one page of ranked results + total count; two statements run
 *    concurrently on the pool) for one-word, two-word and faceted queries;
 *  - facets: `catalogFacets` for the same queries;
 *  - catalog page: everything the /catalog route does on the server after the auth check:
 *    `loadCatalogView` (search + facets + suggestion when empty) and React's renderToString of
 *    `CatalogScreen` (the page body). Not included: the session lookup, Next's routing and the
 *    layout/header, and network transfer;
 *  - product page: `loadProductView` + renderToString of `ProductScreen`, likewise.
 * Flags: --products N (default 100000), --queries N per kind (default 300), --keep (keep the db).
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { rm } from "node:fs/promises";
import path from "node:path";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { sql } from "drizzle-orm";
import { CatalogScreen } from "@/components/catalog/catalog-screen";
import { ProductScreen } from "@/components/catalog/product-screen";
import { createDb } from "@/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { seedDemoWorld } from "@/db/seed/demo";
import { generateSyntheticProducts } from "@/db/seed/synthetic";
import { catalogFacets, searchCatalog, type CatalogViewer } from "@/lib/catalog/queries";
import { defaultCatalogParams, type CatalogParams } from "@/lib/catalog/schemas";
import { loadCatalogView, loadProductView } from "@/lib/catalog/service";
import { env } from "@/lib/env";
import { freePort } from "@/lib/net/free-port";
import { dropDatabase, withAdmin } from "@/lib/testing/pg";
import { formatTable, round, summarize, timeMs, writeResults, type Summary } from "./lib/stats";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}
const PRODUCTS = flag("products", 100_000);
const QUERIES = flag("queries", 300);
const KEEP = process.argv.includes("--keep");
const SEED = 20261122;

/** Deterministic PRNG so two runs time the same queries. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const e = env();
let embedded: EmbeddedDatabase | undefined;
let serverUrl = e.DATABASE_URL;
const benchPgDir = path.join(e.DATA_DIR, "bench-pg");
if (!serverUrl) {
  await rm(benchPgDir, { recursive: true, force: true });
  const port = await freePort();
  console.log(`[bench] starting embedded PostgreSQL on 127.0.0.1:${port}`);
  embedded = await startEmbeddedPostgres({ dir: benchPgDir, port, database: "postgres" });
  serverUrl = embedded.url;
} else {
  console.log(`[bench] using DATABASE_URL's server (${new URL(serverUrl).host})`);
}
const dbName = `trib_bench_${randomBytes(4).toString("hex")}`;
await withAdmin(serverUrl, (s) => s.unsafe(`create database ${dbName}`));
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const { sql: pg, db } = createDb(url.toString(), 10);

async function cleanup() {
  await pg.end({ timeout: 5 });
  if (!KEEP) await dropDatabase(serverUrl!, dbName);
  else console.log(`[bench] kept database ${dbName}`);
  if (embedded) {
    await embedded.stop();
    await rm(benchPgDir, { recursive: true, force: true });
  }
}

try {
  const t0 = Date.now();
  await runMigrations(url.toString());
  await seedDemoWorld(db);
  let lastLog = 0;
  await generateSyntheticProducts(db, {
    count: PRODUCTS,
    seed: 1,
    onProgress: (done, total) => {
      if (Date.now() - lastLog > 5000 || done === total) {
        lastLog = Date.now();
        console.log(`[bench] seeded ${done.toLocaleString("en")}/${total.toLocaleString("en")} products`);
      }
    },
  });
  await db.execute(sql`vacuum analyze`);
  const [{ n: listed }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from data_products where status in ('published','deprecated')`);
  console.log(`[bench] ${Number(listed).toLocaleString("en")} listed products ready in ${round((Date.now() - t0) / 1000, 1)} s`);

  // ---- query sets, drawn from the data so most queries match something --------------------
  const rand = rng(SEED);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const nameRows = await db.execute<{ name: string }>(sql`select name from data_products tablesample system (2) repeatable (7) limit 2000`);
  const names = [...nameRows].map((r) => r.name);
  const words = (s: string) => (s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= 3);
  const vocab = [...new Set(names.flatMap(words))];
  const fieldRows = await db.execute<{ f: string }>(sql`select distinct unnest(field_names) as f from (select field_names from data_products limit 500) x`);
  const fieldWords = [...new Set([...fieldRows].flatMap((r) => r.f.split(/[._[\]]+/)).filter((w) => w.length >= 4))];
  const facetRows = await db.execute<{ domain: string; tag: string | null }>(sql`select domain, tags[1] as tag from data_products tablesample system (2) repeatable (3) limit 500`);
  const domains = [...new Set([...facetRows].map((r) => r.domain))];
  const tags = [...new Set([...facetRows].map((r) => r.tag).filter((t): t is string => !!t))];
  const teamRows = await db.execute<{ slug: string }>(sql`select slug from teams`);
  const teamSlugs = [...teamRows].map((r) => r.slug);
  const priceModels = ["free", "per_gb", "per_million_messages", "flat_monthly"] as const;
  const classes = ["public", "internal", "confidential", "restricted"] as const;

  const p = (over: Partial<CatalogParams>): CatalogParams => ({ ...defaultCatalogParams, ...over });
  const oneWord: CatalogParams[] = Array.from({ length: QUERIES }, (_, i) =>
    // One in five is a field name (msisdn, imsi...), the rest words from product names.
    p({ q: i % 5 === 0 && fieldWords.length ? pick(fieldWords) : pick(vocab) }),
  );
  const twoWord: CatalogParams[] = Array.from({ length: QUERIES }, () => {
    const w = words(pick(names));
    return p({ q: w.length >= 2 ? `${w[0]} ${w[w.length - 1]}` : `${pick(vocab)} ${pick(vocab)}` });
  });
  const faceted: CatalogParams[] = Array.from({ length: QUERIES }, (_, i) => {
    const kind = i % 4;
    if (kind === 0) return p({ q: pick(vocab), domains: [pick(domains)] });
    if (kind === 1) return p({ q: pick(vocab), priceModels: [pick([...priceModels])], approvals: ["auto"] });
    if (kind === 2) return p({ domains: [pick(domains)], classifications: [pick([...classes])], sort: "newest" });
    return p({ tags: tags.length ? [pick(tags)] : [], teams: [pick(teamSlugs)], page: 1 + Math.floor(rand() * 3) });
  });
  const viewer: CatalogViewer = { external: false };

  // ---- EXPLAIN: the GIN index must serve full-text matches --------------------------------
  const sample = oneWord[1].q;
  const plan = await db.execute<{ "QUERY PLAN": string }>(
    sql`explain select count(*) from data_products p where p.status in ('published','deprecated') and p.search_vector @@ (to_tsquery('english', ${sample}) || to_tsquery('simple', ${sample}))`,
  );
  const planText = [...plan].map((r) => r["QUERY PLAN"]).join("\n");
  const usesGin = planText.includes("data_products_search_idx");
  const ginNote = usesGin ? "uses" : Number(listed) < 10_000 ? "does not use (expected: a small table is cheaper to scan)" : "DOES NOT use";
  console.log(`\n[bench] EXPLAIN for "${sample}" (${ginNote} data_products_search_idx):\n${planText}\n`);

  const loadBefore = round(loadavg()[0]);
  console.log(`[bench] 1-minute load average before timing: ${loadBefore} on ${cpus().length} CPUs`);

  async function run(label: string, set: CatalogParams[], fn: (q: CatalogParams) => Promise<unknown>): Promise<Summary> {
    for (const q of set.slice(0, 20)) await fn(q); // warm caches and prepared statements
    const samples: number[] = [];
    for (const q of set) samples.push((await timeMs(() => fn(q))).ms);
    const s = summarize(samples);
    console.log(`[bench] ${label}: p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms`);
    return s;
  }

  const search = {
    one_word: await run("search one-word", oneWord, (q) => searchCatalog(db, q, viewer)),
    two_word: await run("search two-word", twoWord, (q) => searchCatalog(db, q, viewer)),
    faceted: await run("search faceted", faceted, (q) => searchCatalog(db, q, viewer)),
  };
  const facets = {
    one_word: await run("facets one-word", oneWord, (q) => catalogFacets(db, q, viewer)),
    faceted: await run("facets faceted", faceted, (q) => catalogFacets(db, q, viewer)),
  };

  const toSearch = (q: CatalogParams) => {
    const out: Record<string, string | string[]> = {};
    if (q.q) out.q = q.q;
    if (q.domains.length) out.domain = q.domains;
    if (q.tags.length) out.tag = q.tags;
    if (q.teams.length) out.team = q.teams;
    if (q.classifications.length) out.class = q.classifications;
    if (q.priceModels.length) out.price = q.priceModels;
    if (q.approvals.length) out.approval = q.approvals;
    if (q.sort !== "relevance") out.sort = q.sort;
    if (q.page > 1) out.page = String(q.page);
    return out;
  };
  // The page mix: browsing with no query, one- and two-word searches, filtered searches, typos.
  const pageSet: Record<string, string | string[]>[] = Array.from({ length: QUERIES }, (_, i) => {
    const k = i % 5;
    if (k === 0) return i % 10 === 0 ? {} : { page: String(2 + Math.floor(rand() * 20)) };
    if (k === 1) return toSearch(oneWord[i]);
    if (k === 2) return toSearch(twoWord[i]);
    if (k === 3) return toSearch(faceted[i]);
    const w = pick(vocab);
    return { q: w.length > 4 ? w.slice(0, 2) + w[3] + w[2] + w.slice(4) : w }; // a transposition typo
  });
  let htmlBytes = 0;
  const renderCatalog = async (sp: Record<string, string | string[]>) => {
    const view = await loadCatalogView(db, sp, viewer);
    htmlBytes = renderToString(createElement(CatalogScreen, { view, signedIn: true })).length;
  };
  const pageSamples: number[] = [];
  for (const sp of pageSet.slice(0, 20)) await renderCatalog(sp);
  for (const sp of pageSet) pageSamples.push((await timeMs(() => renderCatalog(sp))).ms);
  const catalogPage = summarize(pageSamples);
  console.log(`[bench] catalog page (load + render): p50 ${catalogPage.p50} ms, p95 ${catalogPage.p95} ms (last HTML ${htmlBytes} chars)`);

  const slugRows = await db.execute<{ slug: string }>(
    sql`(select slug from data_products where status = 'published' and slug not like 'syn-%' limit 20) union all (select slug from data_products tablesample system (1) repeatable (5) where status = 'published' limit 400)`,
  );
  const slugs = [...slugRows].map((r) => r.slug);
  const productSet = Array.from({ length: QUERIES }, (_, i) => (i % 10 === 0 ? "no-such-product" : pick(slugs)));
  const renderProduct = async (slug: string) => {
    const product = await loadProductView(db, slug, viewer);
    if (product) renderToString(createElement(ProductScreen, { product }));
  };
  for (const s of productSet.slice(0, 20)) await renderProduct(s);
  const productSamples: number[] = [];
  for (const s of productSet) productSamples.push((await timeMs(() => renderProduct(s))).ms);
  const productPage = summarize(productSamples);
  console.log(`[bench] product page (load + render): p50 ${productPage.p50} ms, p95 ${productPage.p95} ms`);

  const rows: (string | number)[][] = [["measure", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"]];
  const add = (label: string, s: Summary) => rows.push([label, s.n, s.p50, s.p95, s.p99, s.max]);
  add("search: one word", search.one_word);
  add("search: two words", search.two_word);
  add("search: faceted", search.faceted);
  add("facet counts: one word", facets.one_word);
  add("facet counts: faceted", facets.faceted);
  add("catalog page (server)", catalogPage);
  add("product page (server)", productPage);
  console.log(`\nCatalog benchmark: ${Number(listed).toLocaleString("en")} listed products, ${QUERIES} queries per kind, sequential, warm.\n`);
  console.log(formatTable(rows));
  const searchP95 = Math.max(search.one_word.p95, search.two_word.p95, search.faceted.p95);
  const pageP95 = Math.max(catalogPage.p95, productPage.p95);
  console.log(`load average (1 min) before/after timing: ${loadBefore} / ${round(loadavg()[0])} on ${cpus().length} CPUs`);
  console.log(`\nsearch p95 (worst kind) ${searchP95} ms (goal <= 25) · page p95 (worst page) ${pageP95} ms (goal <= 200)`);
  console.log(
    "Timed: search = searchCatalog (ranked page of 20 + total); page = loadCatalogView/loadProductView + renderToString of the page body. " +
      "Not timed: session lookup, Next.js routing, layout/header, network.",
  );
  const file = await writeResults("catalog", {
    products: Number(listed),
    queries_per_kind: QUERIES,
    search_p95_ms: searchP95,
    page_p95_ms: pageP95,
    search: search,
    facets: facets,
    catalog_page: catalogPage,
    product_page: productPage,
    gin_index_used: usesGin,
    timed:
      "search: searchCatalog (page of 20 + total count); facets: catalogFacets; pages: loadCatalogView/loadProductView + react-dom/server renderToString of CatalogScreen/ProductScreen. Excludes session lookup, Next.js routing, layout and network.",
    // Other work on the machine inflates every figure; the load average says how busy it was.
    machine: { cpus: cpus().length, node: process.version, loadavg_1m_before: loadBefore, loadavg_1m_after: round(loadavg()[0]) },
  });
  console.log(`[bench] wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await cleanup();
}
