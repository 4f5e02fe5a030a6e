import { describe, expect, it } from "vitest";
import { ApproveRequestSchema, BulkApproveSchema, SubscribeSchema, endOfUtcDay } from "./schemas";

const ids = { productId: "5f0c9a52-1d2e-4c3b-8a7f-6e5d4c3b2a10", planId: "6f0c9a52-1d2e-4c3b-8a7f-6e5d4c3b2a10", teamId: "7f0c9a52-1d2e-4c3b-8a7f-6e5d4c3b2a10" };

describe("expiry dates", () => {
  it("a calendar date is the end of that day in UTC, for the requester and the approver alike", () => {
    const end = new Date("2031-03-09T23:59:59.999Z");
    expect(endOfUtcDay("2031-03-09")).toEqual(end);
    expect(SubscribeSchema.parse({ ...ids, purpose: "analytics", requestedExpiry: "2031-03-09" }).requestedExpiry).toEqual(end);
    expect(ApproveRequestSchema.parse({ requestId: ids.planId, expiresAt: " 2031-03-09 " }).expiresAt).toEqual(end);
    expect(BulkApproveSchema.parse({ requestIds: [ids.planId], expiresAt: "2031-03-09" }).expiresAt).toEqual(end);
  });

  it("a full timestamp keeps its instant; empty means none; garbage is a field error", () => {
    expect(ApproveRequestSchema.parse({ requestId: ids.planId, expiresAt: "2031-03-09T08:00:00Z" }).expiresAt).toEqual(new Date("2031-03-09T08:00:00Z"));
    expect(ApproveRequestSchema.parse({ requestId: ids.planId, expiresAt: "" }).expiresAt).toBeUndefined();
    expect(ApproveRequestSchema.parse({ requestId: ids.planId }).expiresAt).toBeUndefined();
    const bad = SubscribeSchema.safeParse({ ...ids, purpose: "analytics", requestedExpiry: "next tuesday" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ["requestedExpiry"], message: "Enter a valid date." });
  });
});
