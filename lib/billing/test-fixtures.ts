import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { costCenters, dataProducts, maskingTiers, memberships, organizations, plans, subscriptions, teams, usageLedger, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import type { PriceModel } from "./pricing";

/**
 * A small billing world, unique per call: an org with two cost centers, an owning team, two
 * consumer teams (one per cost center) and one without a cost center, a product with one tier,
 * and people with each role. Plans and subscriptions are added per test with `plan` and
 * `subscription`, usage with `usage`, so each test states the numbers it checks.
 */
export async function createBillingWorld(db: Db) {
  const tag = randomBytes(4).toString("hex");
  const [org] = await db.insert(organizations).values({ slug: `bill-${tag}`, name: `Bill ${tag}`, kind: "internal" }).returning();
  const [ccA] = await db.insert(costCenters).values({ orgId: org!.id, code: `CC-A-${tag}`, name: `Network ${tag}` }).returning();
  const [ccB] = await db.insert(costCenters).values({ orgId: org!.id, code: `CC-B-${tag}`, name: `Care ${tag}` }).returning();
  const mkTeam = async (slug: string, costCenterId: string | null) =>
    (await db.insert(teams).values({ orgId: org!.id, slug: `${slug}-${tag}`, name: `${slug} ${tag}`, costCenterId }).returning())[0]!;
  const ownerTeam = await mkTeam("owners", ccA!.id);
  const teamA = await mkTeam("analytics", ccA!.id);
  const teamB = await mkTeam("care", ccB!.id);
  const teamNone = await mkTeam("orphans", null);

  const mkUser = async (name: string, roles: ("finance" | "admin")[], team?: { id: string; role: "member" | "owner" }): Promise<SessionUser> => {
    const [u] = await db.insert(users).values({ email: `${name}-${tag}@billing.test`, name, orgId: org!.id, roles }).returning();
    if (team) await db.insert(memberships).values({ userId: u!.id, teamId: team.id, role: team.role });
    return (await loadSessionUser(db, u!.id))!;
  };
  const finance = await mkUser("finance", ["finance"]);
  const admin = await mkUser("admin", ["admin"]);
  const owner = await mkUser("owner", [], { id: ownerTeam.id, role: "owner" });
  const consumer = await mkUser("consumer", [], { id: teamA.id, role: "member" });

  const [product] = await db
    .insert(dataProducts)
    .values({ slug: `events-${tag}`, name: `Events ${tag}`, domain: "network", ownerTeamId: ownerTeam.id, status: "published" })
    .returning();
  const [tier] = await db.insert(maskingTiers).values({ productId: product!.id, name: "internal" }).returning();

  async function plan(p: { priceModel: PriceModel; priceMinor?: number; currency?: string; monthlyCapMinor?: number | null; name?: string }) {
    const [row] = await db
      .insert(plans)
      .values({
        productId: product!.id,
        tierId: tier!.id,
        name: p.name ?? `${p.priceModel} ${p.priceMinor ?? 0} ${p.currency ?? "EUR"}`,
        priceModel: p.priceModel,
        priceMinor: p.priceMinor ?? 0,
        currency: p.currency ?? "EUR",
        monthlyCapMinor: p.monthlyCapMinor ?? null,
      })
      .returning();
    return row!;
  }

  async function subscription(s: {
    planId: string;
    teamId?: string;
    activatedAt: Date;
    endedAt?: Date | null;
    state?: "active" | "suspended" | "revoked" | "expired";
  }) {
    const [row] = await db
      .insert(subscriptions)
      .values({
        productId: product!.id,
        planId: s.planId,
        tierId: tier!.id,
        contractMajor: 1,
        teamId: s.teamId ?? teamA.id,
        createdBy: consumer.id,
        state: s.state ?? (s.endedAt ? "revoked" : "active"),
        purpose: "analytics",
        activatedAt: s.activatedAt,
        endedAt: s.endedAt ?? null,
      })
      .returning();
    return row!;
  }

  /** Upsert one hourly ledger row; `updatedAt` lets a test place a write before or after a close. */
  async function usage(subscriptionId: string, hour: Date, u: { messages?: number; bytes?: number; updatedAt?: Date }) {
    await db
      .insert(usageLedger)
      .values({ subscriptionId, hour, messages: u.messages ?? 0, bytes: u.bytes ?? 0, updatedAt: u.updatedAt ?? new Date() })
      .onConflictDoUpdate({
        target: [usageLedger.subscriptionId, usageLedger.hour],
        set: { messages: sql`excluded.messages`, bytes: sql`excluded.bytes`, updatedAt: sql`excluded.updated_at` },
      });
  }

  return { tag, org: org!, costCenters: { ccA: ccA!, ccB: ccB! }, teams: { ownerTeam, teamA, teamB, teamNone }, users: { finance, admin, owner, consumer }, product: product!, tier: tier!, plan, subscription, usage };
}

export type BillingWorld = Awaited<ReturnType<typeof createBillingWorld>>;
