import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, organizations, plans, teams } from "@/db/schema";
import {
  MAX_PAGE,
  PAGE_SIZE,
  tokenizeQuery,
  type ApprovalMode,
  type CatalogParams,
  type Classification,
  type PriceModel,
} from "./schemas";

/**
 * Catalog reads. Every function takes `db` (or a transaction) and plain params; nothing here
 * reads the request. All user text reaches SQL as bound parameters: the search words are
 * reduced to letters and digits first (see tokenizeQuery) and then passed to to_tsquery as
 * values, never spliced into the statement.
 */

/** Who is looking: external organisations only see products with a plan open to them. */
export type CatalogViewer = { external: boolean };

export type FacetKey = "domains" | "tags" | "teams" | "classifications" | "priceModels" | "approvals";

export type CatalogItem = {
  id: string;
  slug: string;
  name: string;
  summary: string;
  domain: string;
  tags: string[];
  status: "published" | "deprecated";
  classification: Classification;
  publishedAt: Date | null;
  team: { slug: string; name: string };
  /** Free if any plan is free, otherwise the lowest-priced plan (models differ, so the card names the unit). */
  cheapestPlan: { priceModel: PriceModel; priceMinor: number; currency: string } | null;
  approvals: ApprovalMode[];
  externalAllowed: boolean;
};

export type CatalogPage = {
  items: CatalogItem[];
  /** Exact, or the planner's estimate when `totalIsEstimate` (large results, see LARGE_RESULT). */
  total: number;
  totalIsEstimate: boolean;
  page: number;
  pageSize: number;
  pageCount: number;
};

export type FacetValue = { value: string; label: string; count: number };
export type CatalogFacets = Record<FacetKey, FacetValue[]> & {
  /** True when the counts were taken over a sample of FACET_SAMPLE top matches of a large result. */
  sampled?: boolean;
};

const VISIBLE = sql`p.status in ('published', 'deprecated')`;
/** Prefix matching on the last word helps as-you-type searches; on 1-2 letters it would match half the vocabulary. */
const MIN_PREFIX_CHARS = 3;
const TAG_FACET_LIMIT = 15;
/**
 * Bounds that keep every search cheap however common its words are: on 100k products a word
 * such as "event" matches nearly all of them, and merely reading a posting list that long from
 * the GIN index costs tens of milliseconds. So the planner's estimate (EXPLAIN, ~1 ms; Postgres
 * keeps per-lexeme frequencies for tsvector columns) picks a strategy:
 *  - up to LARGE_RESULT estimated matches: one pass over all matches ranks (or sorts) and
 *    counts them exactly, and facet counts are exact;
 *  - more: the total shown is the estimate ("about 48,000"), facet counts come from a sample of
 *    the best FACET_SAMPLE matches (the page says so), and ranking looks at RANK_CANDIDATES
 *    products whose *name* matches (a much smaller index) before it falls back to matches
 *    anywhere, which is what a person scanning the first pages wants anyway.
 */
export const LARGE_RESULT = 1000;
const EXACT_CAP = 1500;
export const RANK_CANDIDATES = 400;
export const FACET_SAMPLE = 500;
/** A large result's facet sample is its name matches when it has at least this many. */
const FACET_SAMPLE_MIN_NAMES = 100;
/** Must match the expression of data_products_name_fts_idx (migration 0003) for the index to be used. */
const NAME_TSV = sql`(to_tsvector('simple'::regconfig, p.name) || to_tsvector('english'::regconfig, p.name))`;
const FACET_LIMIT = 30;
const SUGGEST_SIMILARITY = 0.2;
export const SUGGESTION_COUNT_CAP = 100;

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);
/** Values compared as the column's enum type, so the planner uses its statistics (a ::text cast hides them). */
const enumList = (values: readonly string[], type: "classification" | "price_model" | "approval_mode") =>
  sql.join(values.map((v) => sql`${v}::${sql.raw(type)}`), sql`, `);

/**
 * The tsquery for the user's words: every word must match (AND); each word matches its English
 * stem or its literal form (the vector holds both: English for prose, `simple` for names and
 * field names such as `msisdn`); the last word also matches as a prefix.
 */
export function buildTsQuery(q: string): SQL | null {
  const { terms } = tokenizeQuery(q);
  if (terms.length === 0) return null;
  const parts = terms.map((t, i) => {
    const value = i === terms.length - 1 && t.length >= MIN_PREFIX_CHARS ? `${t}:*` : t;
    return sql`(to_tsquery('english', ${value}) || to_tsquery('simple', ${value}))`;
  });
  return sql.join(parts, sql` && `);
}

function whereFor(p: CatalogParams, text: "vector" | "name" | null, viewer: CatalogViewer): SQL {
  const conds: SQL[] = [VISIBLE];
  if (text === "vector") conds.push(sql`p.search_vector @@ tq.q`);
  if (text === "name") conds.push(sql`${NAME_TSV} @@ tq.q`);
  if (p.domains.length) conds.push(sql`p.domain in (${list(p.domains)})`);
  // Values within one facet are alternatives (OR); different facets narrow each other (AND).
  if (p.tags.length) conds.push(sql`p.tags && array[${list(p.tags)}]::text[]`);
  if (p.teams.length)
    conds.push(sql`p.owner_team_id in (select id from teams where slug in (${list(p.teams)}))`);
  if (p.classifications.length)
    conds.push(sql`p.classification in (${enumList(p.classifications, "classification")})`);
  if (p.priceModels.length)
    conds.push(
      sql`exists (select 1 from plans pl where pl.product_id = p.id and pl.active and pl.price_model in (${enumList(p.priceModels, "price_model")}))`,
    );
  if (p.approvals.length)
    conds.push(
      sql`exists (select 1 from plans pl where pl.product_id = p.id and pl.active and pl.approval in (${enumList(p.approvals, "approval_mode")}))`,
    );
  if (viewer.external)
    conds.push(sql`exists (select 1 from plans pl where pl.product_id = p.id and pl.active and pl.external_allowed)`);
  return sql.join(conds, sql` and `);
}

/** The CTE holding the parsed tsquery (computed once per statement) and the FROM clause. */
function sourceFor(tsq: SQL | null): { ctes: SQL[]; from: SQL } {
  if (!tsq) return { ctes: [], from: sql`data_products p` };
  return { ctes: [sql`tq as (select ${tsq} as q)`], from: sql`data_products p cross join tq` };
}

function withClause(ctes: SQL[]): SQL {
  return ctes.length ? sql`with ${sql.join(ctes, sql`, `)} ` : sql``;
}

function orderFor(p: CatalogParams, hasQuery: boolean): SQL {
  if (p.sort === "newest") return sql`p.published_at desc nulls last, p.name asc, p.id asc`;
  if (p.sort === "relevance" && hasQuery)
    // Deprecated products stay findable but rank below live ones; name and id keep pages stable.
    return sql`ts_rank(p.search_vector, tq.q) * (case when p.status = 'deprecated' then 0.5 else 1 end) desc, p.name asc, p.id asc`;
  return sql`p.name asc, p.id asc`;
}

type ItemRow = {
  id: string;
  slug: string;
  name: string;
  summary: string;
  domain: string;
  tags: string[];
  status: "published" | "deprecated";
  classification: Classification;
  published_at: string | Date | null;
  team_slug: string;
  team_name: string;
  cheapest: { price_model: PriceModel; price_minor: number | string; currency: string } | null;
  approvals: ApprovalMode[] | null;
  external_allowed: boolean | null;
};

function toItem(r: ItemRow): CatalogItem {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    summary: r.summary,
    domain: r.domain,
    tags: r.tags ?? [],
    status: r.status,
    classification: r.classification,
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    team: { slug: r.team_slug, name: r.team_name },
    cheapestPlan: r.cheapest
      ? { priceModel: r.cheapest.price_model, priceMinor: Number(r.cheapest.price_minor), currency: r.cheapest.currency }
      : null,
    approvals: r.approvals ?? [],
    externalAllowed: r.external_allowed ?? false,
  };
}

/** The planner's estimate of how many listed products match (no rows are read). */
export async function estimateCatalogMatches(db: Db, p: CatalogParams, viewer: CatalogViewer): Promise<number> {
  const tsq = buildTsQuery(p.q);
  const { ctes, from } = sourceFor(tsq);
  const rows = await db.execute<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }>(
    sql`explain (format json) ${withClause(ctes)}select p.id from ${from} where ${whereFor(p, tsq ? "vector" : null, viewer)}`,
  );
  return Math.round(Number(rows[0]?.["QUERY PLAN"]?.[0]?.Plan?.["Plan Rows"] ?? 0));
}

/**
 * Candidate ids for a text search: name matches first, then matches anywhere. With
 * `gateBelow`, the second pool is only read when the first has fewer rows than that (a
 * one-time filter, so Postgres skips that scan, often the expensive one, entirely otherwise).
 */
function candidatesCte(name: string, p: CatalogParams, viewer: CatalogViewer, limit: number, gateBelow: number | null): SQL {
  const n = sql.raw(name);
  const from = sql`data_products p cross join tq`;
  const anywhere = sql`select p.id from ${from} where ${whereFor(p, "vector", viewer)}`;
  return sql`${n}_names as (select p.id from ${from} where ${whereFor(p, "name", viewer)} limit ${limit}),
    ${n} as (
      select id from ${n}_names
      union
      (${anywhere}${gateBelow !== null ? sql` and (select count(*) from ${n}_names) < ${gateBelow}` : sql``} limit ${limit})
    )`;
}

/**
 * One page of matching products, ranked or sorted, with the number of matches. Pass the
 * estimate when the caller already has it (the catalog page shares one for search and facets).
 */
export async function searchCatalog(db: Db, p: CatalogParams, viewer: CatalogViewer, estimate?: number): Promise<CatalogPage> {
  const tsq = buildTsQuery(p.q);
  const est = estimate ?? (await estimateCatalogMatches(db, p, viewer));
  const large = est > LARGE_RESULT;
  const { ctes, from } = sourceFor(tsq);
  const where = whereFor(p, tsq ? "vector" : null, viewer);
  const offset = (p.page - 1) * PAGE_SIZE;
  const planFilter = viewer.external ? sql` and pl.external_allowed` : sql``;
  let pageCtes: SQL[];
  if (!large) {
    // Few matches: one pass over them ranks or sorts them all and counts them (window count),
    // so no row is read twice. EXACT_CAP bounds the pass when the estimate was too low
    // (correlated words: "alpine events" is far more common than "alpine" x "events").
    pageCtes = [
      sql`page as (
        select h.id, h.total, row_number() over () as ord from (
          select p.id, count(*) over () as total
          from (select p.id, p.name, p.published_at, p.status, p.search_vector from ${from} where ${where} limit ${EXACT_CAP}) p${tsq ? sql` cross join tq` : sql``}
          order by ${orderFor(p, tsq !== null)} limit ${PAGE_SIZE} offset ${offset}) h
      )`,
    ];
  } else if (tsq && p.sort === "relevance") {
    pageCtes = [
      // Matches elsewhere than the name are only needed once the name matches run out before this page does.
      candidatesCte("cand", p, viewer, Math.max(RANK_CANDIDATES, offset + PAGE_SIZE), offset + PAGE_SIZE),
      sql`page as (
        select h.id, null::bigint as total, row_number() over () as ord from (
          select p.id from cand join data_products p on p.id = cand.id cross join tq
          order by ${orderFor(p, true)} limit ${PAGE_SIZE} offset ${offset}) h
      )`,
    ];
  } else {
    // Browsing or sorting by name/date over many rows: the listed_* indexes give rows in
    // order, so LIMIT stops after a page.
    pageCtes = [
      sql`page as (
        select h.id, null::bigint as total, row_number() over () as ord
        from (select p.id from ${from} where ${where} order by ${orderFor(p, false)} limit ${PAGE_SIZE} offset ${offset}) h
      )`,
    ];
  }
  // The page's ids are chosen first, touching only what filtering and sorting need; display
  // data and plan summaries are then looked up for those 20 rows only.
  const itemsQuery = sql`${withClause([...ctes, ...pageCtes])}
    select p.id, p.slug, p.name, p.summary, p.domain, p.tags, p.status, p.classification, p.published_at,
      t.slug as team_slug, t.name as team_name,
      (select json_build_object('price_model', pl.price_model, 'price_minor', pl.price_minor, 'currency', pl.currency)
         from plans pl where pl.product_id = p.id and pl.active${planFilter}
         order by (pl.price_model = 'free') desc, pl.price_minor asc limit 1) as cheapest,
      (select array_agg(distinct pl.approval) from plans pl where pl.product_id = p.id and pl.active${planFilter}) as approvals,
      (select bool_or(pl.external_allowed) from plans pl where pl.product_id = p.id and pl.active) as external_allowed,
      page.total
    from page join data_products p on p.id = page.id join teams t on t.id = p.owner_team_id
    order by page.ord`;
  const rows = await db.execute<ItemRow & { total: number | string | null }>(itemsQuery);
  let total: number;
  let totalIsEstimate = false;
  if (!large && rows.length > 0 && Number(rows[0].total) >= EXACT_CAP) {
    // The estimate was too low: this is a large result after all.
    return searchCatalog(db, p, viewer, Math.max(est, EXACT_CAP));
  }
  if (!large && rows.length > 0) total = Number(rows[0].total);
  else if (!large && p.page === 1) total = 0;
  else if (!large) {
    // Past the last page the window count has no row to ride on; count separately (rare).
    const counted = await db.execute<{ n: number }>(sql`${withClause(ctes)}select count(*)::int as n from ${from} where ${where}`);
    total = Number(counted[0]?.n ?? 0);
  } else {
    total = roundEstimate(est);
    totalIsEstimate = true;
  }
  // A short page means the matches ran out here, which pins the total down exactly.
  if (totalIsEstimate && rows.length < PAGE_SIZE && (rows.length > 0 || p.page === 1)) {
    total = offset + rows.length;
    totalIsEstimate = false;
  }
  return {
    items: [...rows].map(toItem),
    total,
    totalIsEstimate,
    page: p.page,
    pageSize: PAGE_SIZE,
    pageCount: pageCountFor(total),
  };
}

/** Pages beyond MAX_PAGE are not offered (the URL parser caps `page` there too). */
export function pageCountFor(total: number): number {
  return Math.min(MAX_PAGE, Math.max(1, Math.ceil(total / PAGE_SIZE)));
}

/** Two significant digits: an estimate shown as 48,213 would claim a precision it does not have. */
function roundEstimate(n: number): number {
  if (n < 100) return n;
  const f = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / f) * f;
}

const priceModelLabels: Record<PriceModel, string> = {
  free: "Free",
  per_gb: "Per GB",
  per_million_messages: "Per million messages",
  flat_monthly: "Flat monthly",
};
const approvalLabels: Record<ApprovalMode, string> = { auto: "Instant (auto-approved)", manual: "Owner approval" };
const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

type FacetRow = { facet: FacetKey; value: string; label: string | null; n: number };

/**
 * SELECTs over the matched set `m` for the given facets, to be UNION ALLed. Long facets show
 * their top values, but selected values are always kept so their counts stay visible.
 */
function facetSelects(keys: FacetKey[], viewer: CatalogViewer, p: CatalogParams): SQL[] {
  const planFilter = viewer.external ? sql` and pl.external_allowed` : sql``;
  const selectedFirst = (expr: SQL, values: string[]) => (values.length ? sql`(${expr} in (${list(values)})) desc, ` : sql``);
  const out: SQL[] = [];
  for (const k of keys) {
    if (k === "domains")
      out.push(sql`(select 'domains' as facet, m.domain as value, null as label, count(*)::int as n from m group by m.domain order by ${selectedFirst(sql`m.domain`, p.domains)}n desc, value limit ${FACET_LIMIT + p.domains.length})`);
    if (k === "tags")
      out.push(sql`(select 'tags' as facet, tag as value, null as label, count(*)::int as n from m cross join unnest(m.tags) as tag group by tag order by ${selectedFirst(sql`tag`, p.tags)}n desc, tag limit ${TAG_FACET_LIMIT + p.tags.length})`);
    if (k === "teams")
      out.push(sql`(select 'teams' as facet, t.slug as value, t.name as label, c.n from (select m.owner_team_id, count(*)::int as n from m group by 1) c join teams t on t.id = c.owner_team_id order by ${selectedFirst(sql`t.slug`, p.teams)}c.n desc, t.name limit ${FACET_LIMIT + p.teams.length})`);
    if (k === "classifications")
      out.push(sql`(select 'classifications' as facet, m.classification::text as value, null as label, count(*)::int as n from m group by m.classification)`);
    if (k === "priceModels")
      out.push(sql`(select 'priceModels' as facet, pl.price_model::text as value, null as label, count(distinct pl.product_id)::int as n from m join plans pl on pl.product_id = m.id and pl.active${planFilter} group by pl.price_model)`);
    if (k === "approvals")
      out.push(sql`(select 'approvals' as facet, pl.approval::text as value, null as label, count(distinct pl.product_id)::int as n from m join plans pl on pl.product_id = m.id and pl.active${planFilter} group by pl.approval)`);
  }
  return out;
}

function facetQuery(p: CatalogParams, tsq: SQL | null, viewer: CatalogViewer, keys: FacetKey[], exclude: FacetKey | undefined, sample: boolean): SQL {
  const q = exclude ? { ...p, [exclude]: [] } : p;
  const cols = sql`p.id, p.domain, p.tags, p.owner_team_id, p.classification`;
  let ctes: SQL[];
  if (sample && tsq) {
    ctes = [sql`tq as (select ${tsq} as q)`, candidatesCte("sample", q, viewer, FACET_SAMPLE, FACET_SAMPLE_MIN_NAMES), sql`m as (select ${cols} from sample join data_products p on p.id = sample.id)`];
  } else {
    const src = sourceFor(tsq);
    const limit = sample ? sql` limit ${FACET_SAMPLE}` : sql``;
    ctes = [...src.ctes, sql`m as (select ${cols} from ${src.from} where ${whereFor(q, tsq ? "vector" : null, viewer)}${limit})`];
  }
  return sql`${withClause(ctes)}${sql.join(facetSelects(keys, viewer, p), sql` union all `)}`;
}

// The unfiltered catalog's facets are the same for every visitor and cost a full pass over the
// listed products, so they are computed exactly once a minute per database handle and viewer kind.
const FULL_FACETS_TTL_MS = 60_000;
const fullFacetsCache = new WeakMap<object, Map<boolean, { at: number; value: Promise<CatalogFacets> }>>();

const facetKeys: FacetKey[] = ["domains", "tags", "teams", "classifications", "priceModels", "approvals"];

/**
 * Counts per facet value. A facet with a selection is counted with its own filter left out
 * (all other filters applied), so its other values stay visible and their counts say how many
 * results choosing them would add; facets without a selection share one statement.
 */
/**
 * Counts per facet value. A facet with a selection is counted with its own filter left out
 * (all other filters applied), so its other values stay visible and their counts say how many
 * results choosing them would give; facets without a selection share one statement. Large
 * results are counted over a sample (see LARGE_RESULT); pass the estimate if you have it.
 */
export async function catalogFacets(db: Db, p: CatalogParams, viewer: CatalogViewer, estimate?: number): Promise<CatalogFacets> {
  const tsq = buildTsQuery(p.q);
  const active = facetKeys.filter((k) => p[k].length > 0);
  if (!tsq && active.length === 0) {
    let perDb = fullFacetsCache.get(db);
    if (!perDb) fullFacetsCache.set(db, (perDb = new Map()));
    const hit = perDb.get(viewer.external);
    if (hit && Date.now() - hit.at < FULL_FACETS_TTL_MS) return hit.value;
    const value = computeFacets(db, p, null, viewer, [], false);
    perDb.set(viewer.external, { at: Date.now(), value });
    // A failed computation must not be served from the cache.
    value.catch(() => perDb.delete(viewer.external));
    return value;
  }
  const est = estimate ?? (await estimateCatalogMatches(db, p, viewer));
  return computeFacets(db, p, tsq, viewer, active, est > LARGE_RESULT);
}

async function computeFacets(
  db: Db,
  p: CatalogParams,
  tsq: SQL | null,
  viewer: CatalogViewer,
  active: FacetKey[],
  sample: boolean,
): Promise<CatalogFacets> {
  const idle = facetKeys.filter((k) => !active.includes(k));
  const statements: SQL[] = [];
  if (idle.length) statements.push(facetQuery(p, tsq, viewer, idle, undefined, sample));
  // Leaving a facet's own filter out can make its set far larger than the result, so each of
  // these statements gets its own estimate and strategy.
  const widened = await Promise.all(active.map((k) => estimateCatalogMatches(db, { ...p, [k]: [] }, viewer)));
  active.forEach((k, i) => statements.push(facetQuery(p, tsq, viewer, [k], k, widened[i] > LARGE_RESULT)));
  const results = await Promise.all(statements.map((s) => db.execute<FacetRow>(s)));
  const facets: CatalogFacets = {
    domains: [],
    tags: [],
    teams: [],
    classifications: [],
    priceModels: [],
    approvals: [],
    sampled: sample || widened.some((n) => n > LARGE_RESULT),
  };
  for (const rows of results) {
    for (const r of rows) {
      const label =
        r.facet === "priceModels"
          ? priceModelLabels[r.value as PriceModel]
          : r.facet === "approvals"
            ? approvalLabels[r.value as ApprovalMode]
            : r.facet === "classifications"
              ? titleCase(r.value)
              : (r.label ?? r.value);
      facets[r.facet].push({ value: r.value, label, count: Number(r.n) });
    }
  }
  // A selected value may have no matches (e.g. from an old link); keep it listed so it can be unticked.
  for (const k of active) {
    for (const v of p[k]) {
      if (!facets[k].some((f) => f.value === v)) facets[k].push({ value: v, label: v, count: 0 });
    }
  }
  const order = (a: FacetValue, b: FacetValue) => b.count - a.count || a.label.localeCompare(b.label);
  for (const k of facetKeys) facets[k].sort(order);
  return facets;
}

export { priceModelLabels, approvalLabels };

/** How many products a search finds, counting at most `upTo`; used to check a suggestion before offering it. */
export async function countCatalog(db: Db, p: CatalogParams, viewer: CatalogViewer, upTo = 1000): Promise<number> {
  const tsq = buildTsQuery(p.q);
  const { ctes, from } = sourceFor(tsq);
  const rows = await db.execute<{ n: number }>(
    sql`${withClause(ctes)}select count(*)::int as n from (select 1 from ${from} where ${whereFor(p, tsq ? "vector" : null, viewer)} limit ${upTo}) c`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * "Did you mean": each search word that is not in the catalog's vocabulary is replaced by its
 * closest known word by trigram similarity (e.g. "netwrok" -> "network"). Returns the corrected text only if it differs and actually finds products.
 */
export async function suggestCatalogQuery(db: Db, p: CatalogParams, viewer: CatalogViewer): Promise<{ q: string; total: number } | null> {
  const { terms } = tokenizeQuery(p.q);
  if (terms.length === 0) return null;
  // 0.3 (pg_trgm's default) misses transpositions such as "alrets" (0.27 to "alerts"); 0.2
  // catches them, and a wrong guess costs little because it is only shown if it finds products.
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('pg_trgm.similarity_threshold', ${String(SUGGEST_SIMILARITY)}, true)`);
    return tx.execute<{ input: string; best: string | null }>(sql`
      select w.input,
        case when exists (select 1 from catalog_terms ct where ct.term = w.input) then w.input
             else (select ct.term from catalog_terms ct where ct.term % w.input
                   order by similarity(ct.term, w.input) desc, ct.term limit 1) end as best
      from unnest(array[${list(terms)}]::text[]) with ordinality as w(input, ord)
      order by w.ord`);
  });
  const corrected = [...rows].map((r) => r.best ?? r.input);
  if (corrected.every((c, i) => c === terms[i])) return null;
  const q = corrected.join(" ");
  // Counting stops at SUGGESTION_COUNT_CAP: the link only needs to be worth following.
  const total = await countCatalog(db, { ...p, q, page: 1 }, viewer, SUGGESTION_COUNT_CAP);
  return total > 0 ? { q, total } : null;
}

const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,199}$/;

export type CatalogPlan = {
  id: string;
  name: string;
  description: string;
  approval: ApprovalMode;
  priceModel: PriceModel;
  priceMinor: number;
  currency: string;
  monthlyCapMinor: number | null;
  externalAllowed: boolean;
  quotaBytesPerSec: number | null;
  tier: { name: string; description: string; fullAccess: boolean };
};

export type CatalogProduct = {
  id: string;
  slug: string;
  name: string;
  summary: string;
  description: string;
  domain: string;
  tags: string[];
  status: "published" | "deprecated";
  classification: Classification;
  contactEmail: string | null;
  sourceTopic: string | null;
  publishedAt: Date | null;
  sunsetAt: Date | null;
  updatedAt: Date;
  team: { slug: string; name: string; contactEmail: string | null };
  org: { name: string; kind: "internal" | "external" };
  contract: {
    version: string;
    status: string;
    schemaFormat: "json-schema" | "avro";
    schema: unknown;
    fields: unknown;
    freshnessSlaSeconds: number | null;
    availabilityTarget: string | null;
    retentionHours: number | null;
    purposes: string[];
    prohibitedUses: string[];
    qualityRules: unknown;
    supportContact: string | null;
    publishedAt: Date | null;
  } | null;
  plans: CatalogPlan[];
};

/**
 * A listed product by slug with its current contract (the newest published version, else the
 * newest deprecated one) and active plans. Drafts and retired products are not listed: null.
 * External viewers get null for products without a plan open to them, and only such plans.
 */
export async function getCatalogProduct(db: Db, slug: string, viewer: CatalogViewer): Promise<CatalogProduct | null> {
  if (!SLUG_RE.test(slug)) return null;
  const [row] = await db
    .select({ p: dataProducts, team: teams, org: organizations })
    .from(dataProducts)
    .innerJoin(teams, eq(teams.id, dataProducts.ownerTeamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(and(eq(dataProducts.slug, slug), inArray(dataProducts.status, ["published", "deprecated"])))
    .limit(1);
  if (!row) return null;
  const [contractRows, planRows] = await Promise.all([
    db
      .select()
      .from(contractVersions)
      .where(and(eq(contractVersions.productId, row.p.id), inArray(contractVersions.status, ["published", "deprecated"])))
      .orderBy(
        sql`(${contractVersions.status} = 'published') desc`,
        desc(contractVersions.major),
        desc(contractVersions.minor),
        desc(contractVersions.patch),
      )
      .limit(1),
    db
      .select({ plan: plans, tier: maskingTiers })
      .from(plans)
      .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
      .where(and(eq(plans.productId, row.p.id), eq(plans.active, true), viewer.external ? eq(plans.externalAllowed, true) : undefined))
      .orderBy(sql`(${plans.priceModel} = 'free') desc`, asc(plans.priceMinor), asc(plans.name)),
  ]);
  if (viewer.external && planRows.length === 0) return null;
  const c = contractRows[0];
  const p = row.p;
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    summary: p.summary,
    description: p.description,
    domain: p.domain,
    tags: p.tags,
    status: p.status as "published" | "deprecated",
    classification: p.classification,
    contactEmail: p.contactEmail,
    sourceTopic: p.sourceTopic,
    publishedAt: p.publishedAt,
    sunsetAt: p.sunsetAt,
    updatedAt: p.updatedAt,
    team: { slug: row.team.slug, name: row.team.name, contactEmail: row.team.contactEmail },
    org: { name: row.org.name, kind: row.org.kind },
    contract: c
      ? {
          version: c.version,
          status: c.status,
          schemaFormat: c.schemaFormat,
          schema: c.schema,
          fields: c.fields,
          freshnessSlaSeconds: c.freshnessSlaSeconds,
          availabilityTarget: c.availabilityTarget,
          retentionHours: c.retentionHours,
          purposes: c.purposes,
          prohibitedUses: c.prohibitedUses,
          qualityRules: c.qualityRules,
          supportContact: c.supportContact,
          publishedAt: c.publishedAt,
        }
      : null,
    plans: planRows.map(({ plan, tier }) => ({
      id: plan.id,
      name: plan.name,
      description: plan.description,
      approval: plan.approval,
      priceModel: plan.priceModel,
      priceMinor: plan.priceMinor,
      currency: plan.currency,
      monthlyCapMinor: plan.monthlyCapMinor,
      externalAllowed: plan.externalAllowed,
      quotaBytesPerSec: plan.quotaBytesPerSec,
      tier: { name: tier.name, description: tier.description, fullAccess: tier.fullAccess },
    })),
  };
}
