import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { subscriptions, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { revokeSubscription, subscribe } from "@/lib/subscriptions/service";
import { createTestDatabase } from "@/lib/testing/db";
import { ENDED_VISIBLE_DAYS, listProductConsumers } from "./consumers";

const t = await createTestDatabase();
const db = t.db;

describe("listProductConsumers", () => {
  it("lists subscriptions with team, org kind, plan, tier and state, live first", async () => {
    const w = await createSubscriptionWorld(db);
    const internal = await subscribeToAutoPlan(db, w);
    await db.update(subscriptions).set({ state: "active", activatedAt: new Date("2026-02-01T00:00:00Z") }).where(eq(subscriptions.id, internal.subscriptionId));
    const external = await subscribe(db, w.users.partner, {
      productId: w.product.id,
      planId: w.plans.externalAutoPlan.id,
      teamId: w.teams.partnerTeam.id,
      purpose: "analytics",
    });
    if (external.kind !== "subscription") throw new Error("expected a subscription");
    await revokeSubscription(db, w.users.owner, { subscriptionId: external.subscriptionId, reason: "contract ended" });

    const res = await listProductConsumers(db, w.users.owner, w.product.id);
    expect(res!.canRevoke).toBe(true);
    expect(res!.consumers.map((c) => [c.team.name, c.org.kind, c.plan, c.tier.name, c.state, c.live, c.revocable])).toEqual([
      [w.teams.consumerTeam.name, "internal", "Internal free", "masked", "active", true, true],
      [w.teams.partnerTeam.name, "external", "Partner masked", "masked", "revoked", false, false],
    ]);
    expect(res!.consumers[0].since.toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(res!.consumers[1].stateReason).toBe("contract ended");

    // Ended long ago: off the list.
    const old = new Date(Date.now() + (ENDED_VISIBLE_DAYS + 1) * 86_400_000);
    const later = await listProductConsumers(db, w.users.owner, w.product.id, old);
    expect(later!.consumers.map((c) => c.state)).toEqual(["active"]);
  });

  it("answers null to everyone but the owning team's members and admins; only owners may revoke", async () => {
    const w = await createSubscriptionWorld(db);
    await subscribeToAutoPlan(db, w);
    for (const u of [w.users.consumer, w.users.colleague, w.users.outsider, w.users.partner, null]) {
      expect(await listProductConsumers(db, u, w.product.id)).toBeNull();
    }
    const [a] = await db.insert(users).values({ email: `adm-${w.tag}@test.tributary`, name: "Admin", orgId: w.users.outsider.orgId, roles: ["admin"] }).returning();
    const admin = (await loadSessionUser(db, a.id))!;
    const asAdmin = await listProductConsumers(db, admin, w.product.id);
    expect(asAdmin!.consumers).toHaveLength(1);
    expect(asAdmin!.canRevoke).toBe(false);
    expect((await listProductConsumers(db, w.users.dualOwner, w.product.id))!.canRevoke).toBe(true);
    expect(await listProductConsumers(db, w.users.owner, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
