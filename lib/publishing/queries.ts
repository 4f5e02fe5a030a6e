import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests, clusters, dataProducts, productDrafts, subscriptions, teams } from "@/db/schema";
import type { DraftData, Step } from "./schemas";

export async function findProductForWizard(db: Db, productId: string, opts: { lock?: boolean } = {}) {
  const q = db.select().from(dataProducts).where(eq(dataProducts.id, productId)).limit(1);
  const [row] = opts.lock ? await q.for("update") : await q;
  return row;
}

export async function findDraft(db: Db, productId: string): Promise<{ data: DraftData; stepsDone: Step[]; updatedAt: Date } | undefined> {
  const [row] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId)).limit(1);
  if (!row) return undefined;
  return { data: (row.data ?? {}) as DraftData, stepsDone: row.stepsDone as Step[], updatedAt: row.updatedAt };
}

/** True when another product (any status) already uses the slug. */
export async function isSlugTaken(db: Db, slug: string, exceptProductId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: dataProducts.id })
    .from(dataProducts)
    .where(exceptProductId ? and(eq(dataProducts.slug, slug), ne(dataProducts.id, exceptProductId)) : eq(dataProducts.slug, slug))
    .limit(1);
  return Boolean(row);
}

export async function listClusters(db: Db) {
  return db
    .select({
      id: clusters.id,
      name: clusters.name,
      bootstrapServers: clusters.bootstrapServers,
      saslMechanism: clusters.saslMechanism,
      embedded: clusters.embedded,
      adminUsername: clusters.adminUsername,
    })
    .from(clusters)
    .orderBy(desc(clusters.embedded), clusters.name);
}

/** The full row, sealed admin secret included: only for connecting (lib/publishing/topics.ts). */
export async function findCluster(db: Db, id: string) {
  const [row] = await db.select().from(clusters).where(eq(clusters.id, id)).limit(1);
  return row;
}

/** Source topics already published by a product (a second product on the same topic is allowed but worth a hint). */
export async function productsBySourceTopic(db: Db, clusterId: string) {
  return db
    .select({ topic: dataProducts.sourceTopic, name: dataProducts.name, status: dataProducts.status })
    .from(dataProducts)
    .where(and(eq(dataProducts.clusterId, clusterId), ne(dataProducts.status, "draft")));
}

export type OwnerProductRow = {
  id: string;
  slug: string;
  name: string;
  summary: string;
  status: "draft" | "published" | "deprecated" | "retired";
  domain: string;
  teamId: string;
  teamName: string;
  updatedAt: Date;
  publishedAt: Date | null;
  stepsDone: string[] | null;
  draftUpdatedAt: Date | null;
  activeSubscriptions: number;
};

/** Products of the given teams, drafts first, then by most recent change. */
export async function listTeamProducts(db: Db, teamIds: readonly string[]): Promise<OwnerProductRow[]> {
  if (teamIds.length === 0) return [];
  const rows = await db
    .select({
      id: dataProducts.id,
      slug: dataProducts.slug,
      name: dataProducts.name,
      summary: dataProducts.summary,
      status: dataProducts.status,
      domain: dataProducts.domain,
      teamId: teams.id,
      teamName: teams.name,
      updatedAt: dataProducts.updatedAt,
      publishedAt: dataProducts.publishedAt,
      stepsDone: productDrafts.stepsDone,
      draftUpdatedAt: productDrafts.updatedAt,
      activeSubscriptions: sql<number>`(select count(*)::int from ${subscriptions} s where s.product_id = ${dataProducts.id} and s.state = 'active')`,
    })
    .from(dataProducts)
    .innerJoin(teams, eq(teams.id, dataProducts.ownerTeamId))
    .leftJoin(productDrafts, eq(productDrafts.productId, dataProducts.id))
    .where(inArray(dataProducts.ownerTeamId, [...teamIds]))
    .orderBy(sql`case when ${dataProducts.status} = 'draft' then 0 else 1 end`, desc(dataProducts.updatedAt));
  return rows;
}

export async function countPendingRequests(db: Db, teamIds: readonly string[]): Promise<number> {
  if (teamIds.length === 0) return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(accessRequests)
    .innerJoin(dataProducts, eq(dataProducts.id, accessRequests.productId))
    .where(and(eq(accessRequests.status, "pending"), inArray(dataProducts.ownerTeamId, [...teamIds])));
  return row?.n ?? 0;
}
