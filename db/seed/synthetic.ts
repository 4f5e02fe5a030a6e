import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters, contractVersions, dataProducts, maskingTiers, organizations, plans, teams } from "@/db/schema";
import { insertJsonRows } from "./bulk";
import { buildJsonSchema, TIER_DESCRIPTIONS, tierRules, toContractFields } from "./contract";
import { COMMON_FIELDS, DOMAINS, QUALIFIERS, REGIONS, SENTENCES, type DomainVocabulary } from "./synthetic-vocabulary";
import type { FieldSpec, PlanSpec, QualityRule, TierName } from "./types";

/**
 * Deterministic synthetic catalog for benchmarks and load tests: the same (count, seed) always
 * yields the same products (slugs, names, text, fields, plans); only row ids and the rows'
 * insertion timestamps differ. Products are spread over the teams already in the database (the
 * demo world's, when seeded), or over a small synthetic org created on first use.
 */
export type SyntheticOptions = {
  count: number;
  seed: number;
  /** Products per transaction; ~1,000 keeps each multi-row insert well under Postgres' 65,535 parameters. */
  chunkSize?: number;
  /**
   * Chunks in flight at once, each on its own pooled connection (default 2: the product insert
   * is server-CPU bound in the search trigger). Pass a Database, not a transaction, for this to help.
   */
  concurrency?: number;
  onProgress?: (inserted: number, total: number) => void;
};

/** mulberry32: tiny, fast, and good enough for picking words; not for anything secret. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

function sample<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, Math.min(n, copy.length));
}

function slugify(s: string): string {
  return s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? k);
}

const PLAN_OPTIONS: PlanSpec[] = [
  {
    name: "Partner per GB",
    description: "For external partners under a data-sharing agreement; masked partner view.",
    tier: "partner",
    approval: "manual",
    priceModel: "per_gb",
    priceMinor: 4500,
    currency: "EUR",
    externalAllowed: true,
  },
  {
    name: "Volume",
    description: "Internal chargeback per million messages consumed.",
    tier: "internal",
    approval: "auto",
    priceModel: "per_million_messages",
    priceMinor: 1200,
    currency: "EUR",
    externalAllowed: false,
  },
  {
    name: "Full access",
    description: "Clear-text view for approved, purpose-bound use. Always reviewed by the owner.",
    tier: "full",
    approval: "manual",
    priceModel: "flat_monthly",
    priceMinor: 150000,
    currency: "EUR",
    externalAllowed: false,
  },
];

const FREE_INTERNAL: PlanSpec = {
  name: "Internal",
  description: "Free for internal teams; pseudonymised view.",
  tier: "internal",
  approval: "auto",
  priceModel: "free",
  priceMinor: 0,
  currency: "EUR",
  externalAllowed: false,
};

export type SyntheticProduct = {
  slug: string;
  name: string;
  summary: string;
  description: string;
  domain: string;
  tags: string[];
  classification: "public" | "internal" | "confidential" | "restricted";
  teamIndex: number;
  sourceTopic: string;
  fields: FieldSpec[];
  purposes: string[];
  prohibited: string[];
  freshnessSlaSeconds: number;
  retentionHours: number;
  plans: PlanSpec[];
  publishedDaysAgo: number;
};

/** Pure: the i-th synthetic product for a seed. Exposed so determinism can be tested without a database. */
export function buildSyntheticProducts(count: number, seed: number, teamNames: string[]): SyntheticProduct[] {
  const rng = createRng(seed);
  const out: SyntheticProduct[] = [];
  for (let i = 0; i < count; i++) out.push(buildOne(rng, i, seed, teamNames));
  return out;
}

function buildOne(rng: Rng, i: number, seed: number, teamNames: string[]): SyntheticProduct {
  const voc: DomainVocabulary = pick(rng, DOMAINS);
  const region = pick(rng, REGIONS);
  const entity = pick(rng, voc.entities);
  const measure = pick(rng, voc.measures);
  const qualifier = pick(rng, QUALIFIERS);
  const name = [region, qualifier, entity, measure].filter(Boolean).join(" ");
  // The index suffix makes slugs unique; the seed prefix lets several seeds share a database.
  const slug = `${slugify(name)}-s${seed.toString(36)}-${i.toString(36)}`;
  const teamIndex = int(rng, 0, teamNames.length - 1);
  const teamName = teamNames[teamIndex];
  const fields = [...COMMON_FIELDS, ...sample(rng, voc.fields, int(rng, 4, Math.min(8, voc.fields.length)))];
  const purpose = pick(rng, voc.purposes);
  const vars = {
    team: teamName,
    entity: entity.toLowerCase(),
    measure: measure.toLowerCase(),
    region,
    system: pick(rng, SENTENCES.systems),
    latency: pick(rng, SENTENCES.latencies),
    rate: String(int(rng, 2, 400) * 50),
    consumer: pick(rng, voc.consumers),
    purpose: purpose.replace(/-/g, " "),
  };
  const summary = fill(pick(rng, SENTENCES.intro), vars);
  const personal = fields.filter((x) => x.pii !== "none").map((x) => `\`${x.path}\``);
  const description = [
    `## About\n\n${summary} ${fill(pick(rng, SENTENCES.detail), vars)}`,
    fill(pick(rng, SENTENCES.usage), vars),
    `## Fields\n\n${fields
      .slice(2, 6)
      .map((x) => `- \`${x.path}\`: ${x.description}`)
      .join("\n")}`,
    personal.length
      ? `Personal data (${personal.join(", ")}) is masked in every tier but full access.`
      : "The stream contains no personal data.",
  ].join("\n\n");
  const hasPii = personal.length > 0;
  const extra = sample(rng, PLAN_OPTIONS, int(rng, 0, 2));
  return {
    slug,
    name,
    summary,
    description,
    domain: voc.domain,
    tags: sample(rng, voc.tags, int(rng, 2, 4)),
    classification: hasPii ? pick(rng, ["confidential", "restricted"] as const) : pick(rng, ["internal", "public"] as const),
    teamIndex,
    sourceTopic: `${voc.topicPrefix}.${slugify(`${entity} ${measure}`)}.${slugify(region)}.v1`,
    fields,
    purposes: sample(rng, voc.purposes, int(rng, 1, 2)),
    prohibited: voc.prohibited,
    freshnessSlaSeconds: pick(rng, [5, 30, 60, 300, 900]),
    retentionHours: pick(rng, [24, 72, 168, 720]),
    plans: [FREE_INTERNAL, ...extra],
    publishedDaysAgo: int(rng, 1, 730),
  };
}

function qualityRulesFor(fields: FieldSpec[]): QualityRule[] {
  const rules: QualityRule[] = [
    { id: "event-id-required", kind: "required", field: "event_id", params: {} },
    { id: "fresh", kind: "max_age", field: "event_time", params: { seconds: 3600 } },
  ];
  for (const x of fields) {
    if (x.enum) rules.push({ id: `${x.path}-enum`, kind: "enum", field: x.path, params: { values: x.enum } });
    else if (x.minimum !== undefined || x.maximum !== undefined)
      rules.push({ id: `${x.path}-range`, kind: "range", field: x.path, params: { min: x.minimum, max: x.maximum } });
  }
  return rules;
}

type TeamRow = { id: string; name: string; contactEmail: string | null };
const teamColumns = { id: teams.id, name: teams.name, contactEmail: teams.contactEmail };

async function ensureTeams(db: Db): Promise<TeamRow[]> {
  const existing = await db.select(teamColumns).from(teams).orderBy(asc(teams.slug));
  if (existing.length > 0) return existing;
  await db
    .insert(organizations)
    .values({ slug: "synthetic-co", name: "Synthetic Co", kind: "internal" })
    .onConflictDoNothing();
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "synthetic-co"));
  await db
    .insert(teams)
    .values(
      DOMAINS.map((d) => ({
        orgId: org.id,
        slug: `synthetic-${d.domain}`,
        name: `Synthetic ${d.domain[0].toUpperCase()}${d.domain.slice(1)}`,
        contactEmail: `${d.domain}@synthetic.example`,
      })),
    )
    .onConflictDoNothing();
  return db.select(teamColumns).from(teams).orderBy(asc(teams.slug));
}

const DAY_MS = 86_400_000;

/**
 * Inserts `count` published products (with a published 1.0.0 contract, masking tiers and 1-3
 * plans each), in chunks of multi-row inserts, one transaction per chunk. Re-running with the
 * same seed inserts nothing new: products whose slug exists are skipped with their children.
 */
export async function generateSyntheticProducts(db: Db, opts: SyntheticOptions): Promise<void> {
  const chunkSize = opts.chunkSize ?? 1000;
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const teamRows = await ensureTeams(db);
  const teamNames = teamRows.map((t) => t.name);
  const [cluster] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, "embedded"));
  const ctx: ChunkContext = { teamRows, clusterId: cluster?.id ?? null, now: Date.now() };
  const rng = createRng(opts.seed);
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  let failure: unknown;
  for (let start = 0; start < opts.count && failure === undefined; start += chunkSize) {
    const n = Math.min(chunkSize, opts.count - start);
    // Built in order from one PRNG stream, so the content does not depend on which chunk commits first.
    const batch = Array.from({ length: n }, (_, k) => buildOne(rng, start + k, opts.seed, teamNames));
    const p: Promise<void> = insertChunk(db, batch, ctx).then(
      () => {
        done += n;
        opts.onProgress?.(done, opts.count);
      },
      (err: unknown) => {
        failure ??= err;
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
}

type ChunkContext = { teamRows: TeamRow[]; clusterId: string | null; now: number };

/** One transaction: products (skipping existing slugs), then their contracts, tiers and plans. */
async function insertChunk(db: Db, batch: SyntheticProduct[], ctx: ChunkContext): Promise<void> {
  const { teamRows, now } = ctx;
  await db.transaction(async (tx) => {
    const contractShapes = batch.map((p) => {
      const schema = buildJsonSchema({ id: `urn:tributary:${p.slug}:1`, title: p.name, description: p.summary, fields: p.fields });
      return { schema, fields: toContractFields(p.fields, schema) };
    });
    const productRows = batch.map((p, k) => {
      const team = teamRows[p.teamIndex];
      const publishedAt = new Date(now - p.publishedDaysAgo * DAY_MS);
      return {
        id: randomUUID(),
        slug: p.slug,
        name: p.name,
        summary: p.summary,
        description: p.description,
        domain: p.domain,
        tags: p.tags,
        ownerTeamId: team.id,
        clusterId: ctx.clusterId,
        sourceTopic: p.sourceTopic,
        status: "published" as const,
        classification: p.classification,
        contactEmail: team.contactEmail,
        fieldNames: contractShapes[k].fields.map((x) => x.path),
        publishedAt,
        createdAt: new Date(publishedAt.getTime() - 14 * DAY_MS),
        updatedAt: publishedAt,
      };
    });
    const inserted = await insertJsonRows(tx, dataProducts, productRows, { onConflictDoNothing: "slug", returning: "id" });
    const kept = new Set(inserted.map((r) => r.id as string));
    const contracts = [];
    const tierRows = [];
    const planRows = [];
    for (let k = 0; k < batch.length; k++) {
      const productId = productRows[k].id;
      if (!kept.has(productId)) continue;
      const p = batch[k];
      contracts.push({
        productId,
        version: "1.0.0",
        major: 1,
        minor: 0,
        patch: 0,
        status: "published" as const,
        schema: contractShapes[k].schema,
        fields: contractShapes[k].fields,
        freshnessSlaSeconds: p.freshnessSlaSeconds,
        availabilityTarget: "99.9%",
        retentionHours: p.retentionHours,
        purposes: p.purposes,
        prohibitedUses: p.prohibited,
        qualityRules: qualityRulesFor(p.fields),
        supportContact: productRows[k].contactEmail,
        publishedAt: productRows[k].publishedAt,
      });
      const tierIds = new Map<TierName, string>();
      const needed = new Set<TierName>(["full", ...p.plans.map((x) => x.tier)]);
      for (const tier of needed) {
        const id = randomUUID();
        tierIds.set(tier, id);
        tierRows.push({
          id,
          productId,
          name: tier,
          description: TIER_DESCRIPTIONS[tier],
          fullAccess: tier === "full",
          rules: tierRules(p.fields, tier),
        });
      }
      for (const plan of p.plans) {
        planRows.push({
          productId,
          tierId: tierIds.get(plan.tier)!,
          name: plan.name,
          description: plan.description,
          approval: plan.approval,
          priceModel: plan.priceModel,
          priceMinor: plan.priceMinor,
          currency: plan.currency,
          externalAllowed: plan.externalAllowed,
        });
      }
    }
    if (contracts.length === 0) return;
    await insertJsonRows(tx, contractVersions, contracts);
    await insertJsonRows(tx, maskingTiers, tierRows);
    await insertJsonRows(tx, plans, planRows);
  });
}

/** Slugs a seed produces, for tests and for cleaning a benchmark database. */
export async function listSyntheticSlugs(db: Db, seed: number): Promise<string[]> {
  const rows = await db
    .select({ slug: dataProducts.slug })
    .from(dataProducts)
    .where(sql`${dataProducts.slug} ~ ${`-s${seed.toString(36)}-[0-9a-z]+$`}`)
    .orderBy(asc(dataProducts.slug));
  return rows.map((r) => r.slug);
}
