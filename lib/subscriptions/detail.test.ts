import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { credentials, subscriptions } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { PASSWORD_PLACEHOLDER, connectionDetails, getSubscriptionDetail, listGrantablePlans } from "./detail";
import { createSubscriptionWorld, subscribeToAutoPlan } from "./test-fixtures";

const t = await createTestDatabase();
const db = t.db;

async function platformUser(roles: ("admin" | "finance")[]) {
  const f = await createUserFixture(db, { roles });
  return (await loadSessionUser(db, f.user.id))!;
}

describe("getSubscriptionDetail", () => {
  it("lets the subscribing team, the product's team, finance and admins see it, each as what they are", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    const cases = [
      [w.users.consumer, "team"],
      [w.users.colleague, "team"],
      [w.users.owner, "owner_team"],
      // A member of both teams acts as the subscriber.
      [w.users.dualOwner, "team"],
      [await platformUser(["admin"]), "admin"],
      [await platformUser(["finance"]), "finance"],
    ] as const;
    for (const [user, viewer] of cases) {
      const d = await getSubscriptionDetail(db, user, subscriptionId);
      expect(`${user.name}:${d.viewer}`).toBe(`${user.name}:${viewer}`);
    }
    const d = await getSubscriptionDetail(db, w.users.consumer, subscriptionId);
    expect(d).toMatchObject({
      product: { id: w.product.id, name: w.product.name },
      plan: { name: "Internal free", approval: "auto" },
      tierName: "masked",
      teamName: w.teams.consumerTeam.name,
      ownerTeamName: w.teams.ownerTeam.name,
      current: { username: `sub-${subscriptionId}`, revealedAt: null },
      retiring: [],
    });
  });

  it("answers not_found, never forbidden, to other teams, and for unknown or malformed ids", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    for (const user of [w.users.outsider, w.users.partner]) {
      await expect(getSubscriptionDetail(db, user, subscriptionId)).rejects.toMatchObject({ code: "not_found" });
    }
    await expect(getSubscriptionDetail(db, w.users.consumer, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "not_found" });
    await expect(getSubscriptionDetail(db, w.users.consumer, "not-a-uuid")).rejects.toMatchObject({ code: "not_found" });
  });
  it("after a rotation, names the new generation current and the old one with the end of its grace period", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    const retiresAt = new Date(Date.now() + 86_400_000);
    const rotatedAt = new Date(Date.now() + 1000);
    await db.insert(credentials).values({
      subscriptionId,
      username: `sub-${subscriptionId}-r1`,
      revealedAt: rotatedAt,
      rotatedAt,
      previousRetiresAt: retiresAt,
      createdAt: rotatedAt,
    });
    const d = await getSubscriptionDetail(db, w.users.consumer, subscriptionId);
    expect(d.current?.username).toBe(`sub-${subscriptionId}-r1`);
    expect(d.retiring.map((c) => [c.username, c.retiresAt?.toISOString()])).toEqual([[`sub-${subscriptionId}`, retiresAt.toISOString()]]);
  });
});

describe("connectionDetails", () => {
  it("fills in topic, group prefix, username and mechanism, with the password as a placeholder", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    const c = connectionDetails(sub!, `sub-${subscriptionId}`)!;
    expect(c.topic).toBe(sub!.deliveryTopic);
    expect(c.groupPrefix).toBe(sub!.groupPrefix);
    for (const snippet of Object.values(c.snippets)) {
      expect(snippet).toContain(sub!.deliveryTopic!);
      expect(snippet).toContain(`sub-${subscriptionId}`);
      expect(snippet).toContain(PASSWORD_PLACEHOLDER);
      expect(snippet).toContain(c.bootstrap.join(","));
    }
    expect(c.snippets.kafkajs).toContain(`groupId: "${sub!.groupPrefix}my-app"`);
    expect(c.snippets.javaProperties).toContain("sasl.mechanism=SCRAM-SHA-512");
    expect(connectionDetails({ deliveryTopic: null, groupPrefix: null }, "x")).toBeNull();
  });
});

describe("listGrantablePlans", () => {
  it("lists the active plans with the tier each grants", async () => {
    const w = await createSubscriptionWorld(db);
    const rows = await listGrantablePlans(db, [w.product.id]);
    expect(rows.map((r) => [r.name, r.tierName, r.externalAllowed]).sort()).toEqual(
      [
        ["Full, reviewed", "full", true],
        ["Internal free", "masked", false],
        ["Partner masked", "masked", true],
      ].sort(),
    );
  });
});
