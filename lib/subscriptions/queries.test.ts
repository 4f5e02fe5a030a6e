import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { listActivePlansOfProducts, listTeamAccessRequests } from "./queries";
import { denyAccessRequest, subscribe } from "./service";
import { createSubscriptionWorld } from "./test-fixtures";

const t = await createTestDatabase();
const db = t.db;

describe("queries for the subscription pages", () => {
  it("lists a team's pending and recently denied requests with the reason, not other teams' or old ones", async () => {
    const w = await createSubscriptionWorld(db);
    const base = { productId: w.product.id, planId: w.plans.reviewPlan.id, teamId: w.teams.consumerTeam.id, purpose: "fraud-detection" };
    const first = await subscribe(db, w.users.consumer, { ...base, justification: "Model training" });
    if (first.kind !== "access_request") throw new Error("expected an access request");
    expect((await listTeamAccessRequests(db, [w.teams.consumerTeam.id])).map((r) => [r.id, r.status])).toEqual([[first.requestId, "pending"]]);

    await denyAccessRequest(db, w.users.owner, { requestId: first.requestId, reason: "Use the masked plan" });
    const second = await subscribe(db, w.users.consumer, { ...base, justification: "Second try" });
    if (second.kind !== "access_request") throw new Error("expected an access request");
    const rows = await listTeamAccessRequests(db, [w.teams.consumerTeam.id]);
    expect(rows.map((r) => r.status)).toEqual(["pending", "denied"]);
    expect(rows[1]).toMatchObject({ id: first.requestId, decisionReason: "Use the masked plan", planName: w.plans.reviewPlan.name });

    expect(await listTeamAccessRequests(db, [w.teams.otherTeam.id])).toEqual([]);
    expect(await listTeamAccessRequests(db, [])).toEqual([]);
    // A denial older than the window drops out; the pending one stays whatever its age.
    await db.update(accessRequests).set({ decidedAt: new Date(Date.now() - 40 * 86_400_000) }).where(eq(accessRequests.id, first.requestId));
    expect((await listTeamAccessRequests(db, [w.teams.consumerTeam.id])).map((r) => r.id)).toEqual([second.requestId]);
  });

  it("lists only active plans of the given products", async () => {
    const w = await createSubscriptionWorld(db);
    const names = (await listActivePlansOfProducts(db, [w.product.id])).map((p) => p.name);
    expect(names).toContain(w.plans.autoPlan.name);
    expect(names).toContain(w.plans.reviewPlan.name);
    expect(names).not.toContain(w.plans.retiredPlan.name);
    expect(await listActivePlansOfProducts(db, [])).toEqual([]);
  });
});
