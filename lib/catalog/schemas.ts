import { z } from "zod";
import { approvalMode, classification, priceModel } from "@/db/schema";

/** Longest search text we act on; longer input is cut and the page says so. */
export const MAX_QUERY_CHARS = 200;
/** Words beyond this are ignored: each adds a GIN lookup, and nobody types twelve keywords. */
export const MAX_QUERY_TERMS = 8;
export const PAGE_SIZE = 20;
/** Deep pages cost an OFFSET scan; nobody reads page 500 of a catalog, so cap it. */
export const MAX_PAGE = 500;
const MAX_VALUES_PER_FILTER = 20;
const MAX_VALUE_CHARS = 100;

export const sortValues = ["relevance", "name", "newest"] as const;
export type CatalogSort = (typeof sortValues)[number];

export type Classification = (typeof classification.enumValues)[number];
export type PriceModel = (typeof priceModel.enumValues)[number];
export type ApprovalMode = (typeof approvalMode.enumValues)[number];

/** The catalog's state, all of it in the URL. */
export type CatalogParams = {
  q: string;
  domains: string[];
  tags: string[];
  teams: string[];
  classifications: Classification[];
  priceModels: PriceModel[];
  approvals: ApprovalMode[];
  sort: CatalogSort;
  page: number;
};

export type CatalogNote = { kind: "query_truncated" | "query_no_terms" | "terms_dropped"; message: string };

export const defaultCatalogParams: CatalogParams = {
  q: "",
  domains: [],
  tags: [],
  teams: [],
  classifications: [],
  priceModels: [],
  approvals: [],
  sort: "relevance",
  page: 1,
};

/** URL key for each param; short and stable because people share these links. */
export const catalogParamKeys = {
  q: "q",
  domains: "domain",
  tags: "tag",
  teams: "team",
  classifications: "class",
  priceModels: "price",
  approvals: "approval",
  sort: "sort",
  page: "page",
} as const;

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * A multi-value filter: keeps well-formed values and silently drops the rest, so a hand-edited
 * or stale link still shows a sensible page instead of an error.
 */
function listOf<T extends string>(item: z.ZodType<T>) {
  return z.unknown().optional().transform((v): T[] => {
    const out: T[] = [];
    for (const raw of asList(v)) {
      const parsed = item.safeParse(typeof raw === "string" ? raw.trim() : raw);
      if (parsed.success && !out.includes(parsed.data)) out.push(parsed.data);
      if (out.length >= MAX_VALUES_PER_FILTER) break;
    }
    return out;
  });
}

const freeValue = z.string().min(1).max(MAX_VALUE_CHARS);
const slugValue = z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/);

export const CatalogSearchParamsSchema = z.object({
  q: z.unknown().optional().transform((v) => {
    const first = asList(v)[0];
    return typeof first === "string" ? first : "";
  }),
  domain: listOf(freeValue),
  tag: listOf(freeValue),
  team: listOf(slugValue),
  class: listOf(z.enum(classification.enumValues)),
  price: listOf(z.enum(priceModel.enumValues)),
  approval: listOf(z.enum(approvalMode.enumValues)),
  sort: z.unknown().optional().transform((v) => {
    const parsed = z.enum(sortValues).safeParse(asList(v)[0]);
    return parsed.success ? parsed.data : undefined;
  }),
  page: z.unknown().optional().transform((v) => {
    const n = Number(asList(v)[0]);
    return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE) : 1;
  }),
});

/**
 * Parses Next's searchParams into catalog params. Never throws: anything malformed falls back to
 * its default. Returns notes the page shows when the input was altered (long query cut).
 */
export function parseCatalogSearchParams(searchParams: Record<string, string | string[] | undefined>): {
  params: CatalogParams;
  notes: CatalogNote[];
} {
  const parsed = CatalogSearchParamsSchema.safeParse(searchParams ?? {});
  if (!parsed.success) return { params: { ...defaultCatalogParams }, notes: [] };
  const p = parsed.data;
  const notes: CatalogNote[] = [];
  let q = p.q.replace(/\s+/g, " ").trim();
  if (q.length > MAX_QUERY_CHARS) {
    q = Array.from(q).slice(0, MAX_QUERY_CHARS).join("").trim();
    notes.push({
      kind: "query_truncated",
      message: `Your search was longer than ${MAX_QUERY_CHARS} characters, so only the first ${MAX_QUERY_CHARS} were used.`,
    });
  }
  const { terms, dropped } = tokenizeQuery(q);
  if (q && terms.length === 0) {
    notes.push({ kind: "query_no_terms", message: "Your search has no letters or digits to look for, so all products are shown." });
  } else if (dropped > 0) {
    notes.push({ kind: "terms_dropped", message: `Only the first ${MAX_QUERY_TERMS} words of your search were used.` });
  }
  return {
    params: {
      q,
      domains: p.domain,
      tags: p.tag,
      teams: p.team,
      classifications: p.class,
      priceModels: p.price,
      approvals: p.approval,
      sort: p.sort ?? (q ? "relevance" : "name"),
      page: p.page,
    },
    notes,
  };
}

// Words that carry no meaning for search. Postgres' english config drops them from documents,
// so requiring them in a query would only make "the network" match nothing.
const STOPWORDS = new Set(
  "a an and are as at be by for from has have in is it its of on or that the this to was were will with".split(" "),
);

/**
 * Splits user text into search terms: runs of letters and digits, lower-cased, deduplicated,
 * each at most 60 chars. Everything else (quotes, backslashes, %, _, operators, emoji) is a
 * separator, which is what makes the terms safe to hand to to_tsquery as bound parameters.
 */
export function tokenizeQuery(q: string): { terms: string[]; dropped: number } {
  const words = (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.slice(0, 60));
  const unique = [...new Set(words)];
  const meaningful = unique.filter((w) => !STOPWORDS.has(w));
  const kept = meaningful.length > 0 ? meaningful : unique;
  return { terms: kept.slice(0, MAX_QUERY_TERMS), dropped: Math.max(0, kept.length - MAX_QUERY_TERMS) };
}

/** The URL search params for a catalog state (defaults omitted, so URLs stay short). */
export function catalogParamsToSearch(p: Partial<CatalogParams>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  if (p.q) out.q = p.q;
  if (p.domains?.length) out.domain = p.domains;
  if (p.tags?.length) out.tag = p.tags;
  if (p.teams?.length) out.team = p.teams;
  if (p.classifications?.length) out.class = p.classifications;
  if (p.priceModels?.length) out.price = p.priceModels;
  if (p.approvals?.length) out.approval = p.approvals;
  if (p.sort && p.sort !== (p.q ? "relevance" : "name")) out.sort = p.sort;
  if (p.page && p.page > 1) out.page = String(p.page);
  return out;
}
