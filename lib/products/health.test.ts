import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { contractVersions, productThroughput, qualityIncidents, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { createSubscriptionWorld } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import {
  DEFAULT_STALE_SECONDS,
  DEGRADED_DLQ_SHARE,
  classifyHealth,
  getProductHealth,
  HEALTH_WINDOW_MINUTES,
  listProductHealth,
} from "./health";

const t = await createTestDatabase();
const db = t.db;

const NOW = new Date("2026-03-04T12:30:20Z");
const minute = (ago: number) => new Date(Date.UTC(2026, 2, 4, 12, 30 - ago));

async function adminUser(orgId: string) {
  const [u] = await db.insert(users).values({ email: `admin-${Math.random()}@test.tributary`, name: "Admin", orgId, roles: ["admin"] }).returning();
  return (await loadSessionUser(db, u.id))!;
}

describe("classifyHealth", () => {
  const base = { hasData: true, lagSeconds: 5, slaSeconds: 60, dlqShare: 0.01, recentIn: 100, recentOut: 99, recentDlq: 1 };
  it("is healthy when fresh with a low DLQ share", () => {
    expect(classifyHealth(base).status).toBe("healthy");
  });
  it("has no data before the router reports", () => {
    expect(classifyHealth({ ...base, hasData: false }).status).toBe("no_data");
  });
  it("is stale past the SLA, and past the default without one", () => {
    expect(classifyHealth({ ...base, lagSeconds: 60 }).status).toBe("healthy");
    expect(classifyHealth({ ...base, lagSeconds: 61 }).status).toBe("stale");
    expect(classifyHealth({ ...base, slaSeconds: null, lagSeconds: DEFAULT_STALE_SECONDS }).status).toBe("healthy");
    expect(classifyHealth({ ...base, slaSeconds: null, lagSeconds: DEFAULT_STALE_SECONDS + 1 }).status).toBe("stale");
  });
  it("is degraded above the DLQ share or when nothing is delivered", () => {
    expect(classifyHealth({ ...base, dlqShare: DEGRADED_DLQ_SHARE }).status).toBe("healthy");
    expect(classifyHealth({ ...base, dlqShare: DEGRADED_DLQ_SHARE + 0.001 }).status).toBe("degraded");
    expect(classifyHealth({ ...base, recentOut: 0 }).status).toBe("degraded");
    // Everything went to the DLQ: that is the DLQ rule's business, not "nothing delivered".
    expect(classifyHealth({ ...base, dlqShare: null, recentIn: 3, recentDlq: 3, recentOut: 0 }).status).toBe("healthy");
  });
  it("stale wins over degraded", () => {
    expect(classifyHealth({ ...base, lagSeconds: 1000, dlqShare: 0.5 }).status).toBe("stale");
  });
});

describe("product health queries", () => {
  it("sums instances per minute, computes rates, lag and top reasons", async () => {
    const w = await createSubscriptionWorld(db);
    await db.update(contractVersions).set({ freshnessSlaSeconds: 120 }).where(eq(contractVersions.productId, w.product.id));
    const pid = w.product.id;
    // Two router instances in each of the last 5 complete minutes: 600 in, 570 out, 30 DLQ per minute.
    for (let ago = 1; ago <= 5; ago++) {
      for (const instance of ["a", "b"]) {
        await db.insert(productThroughput).values({
          productId: pid,
          minute: minute(ago),
          instance,
          recordsIn: 300,
          recordsOut: 285 * 2, // two tiers
          recordsDlq: 15,
          bytesIn: 3000,
          bytesOut: 5000,
          lastRecordAt: new Date(minute(ago).getTime() + 50_000),
          maxDelayMs: ago * 10,
        });
      }
    }
    // Older than the window: ignored for rates, but it is data.
    await db.insert(productThroughput).values({ productId: pid, minute: minute(120), instance: "a", recordsIn: 9999 });
    await db.insert(qualityIncidents).values([
      { productId: pid, reason: "schema: missing required field cell_id", hour: new Date("2026-03-04T12:00:00Z"), count: 40, sample: '{"x":1}' },
      { productId: pid, reason: "schema: missing required field cell_id", hour: new Date("2026-03-04T11:00:00Z"), count: 10, sample: '{"x":0}' },
      { productId: pid, reason: "unparsable JSON", hour: new Date("2026-03-04T12:00:00Z"), count: 20, sample: null },
      { productId: pid, reason: "quality: range x", hour: new Date("2026-03-02T12:00:00Z"), count: 500, sample: null },
    ]);

    const h = (await getProductHealth(db, w.users.owner, pid, NOW))!;
    expect(h).not.toBeNull();
    expect(h.series).toHaveLength(HEALTH_WINDOW_MINUTES);
    expect(h.series.at(-1)!.minute.toISOString()).toBe("2026-03-04T12:29:00.000Z");
    expect(h.series.at(-1)!.inPerSec).toBe(10);
    expect(h.series.at(-1)!.outPerSec).toBe(19);
    expect(h.series.at(-10)!.inPerSec).toBe(0);
    expect(h.inPerSec).toBe(10);
    expect(h.outPerSec).toBe(19);
    expect(h.dlqPerSec).toBe(0.5);
    expect(h.totals.recordsIn).toBe(3000);
    expect(h.dlqShare).toBeCloseTo(0.05);
    expect(h.lastRecordAt!.toISOString()).toBe("2026-03-04T12:29:50.000Z");
    expect(h.lagSeconds).toBe(30);
    expect(h.slaSeconds).toBe(120);
    expect(h.maxDelayMs).toBe(50);
    expect(h.status).toBe("healthy");
    expect(h.topReasons.map((r) => [r.reason, r.count])).toEqual([
      ["schema: missing required field cell_id", 50],
      ["unparsable JSON", 20],
    ]);
    expect(h.topReasons[0].sample).toBe('{"x":1}');

    // Three minutes later than the SLA allows: stale.
    const later = await getProductHealth(db, w.users.owner, pid, new Date(NOW.getTime() + 200_000));
    expect(later!.status).toBe("stale");
  });

  it("is degraded when the DLQ share is high, and no_data before the router writes", async () => {
    const w = await createSubscriptionWorld(db);
    const empty = await getProductHealth(db, w.users.owner, w.product.id, NOW);
    expect(empty!.status).toBe("no_data");
    expect(empty!.series.every((p) => p.inPerSec === 0)).toBe(true);
    expect(empty!.lastRecordAt).toBeNull();

    await db.insert(productThroughput).values({
      productId: w.product.id,
      minute: minute(1),
      instance: "a",
      recordsIn: 100,
      recordsOut: 80,
      recordsDlq: 20,
      lastRecordAt: minute(0),
    });
    const h = await getProductHealth(db, w.users.owner, w.product.id, NOW);
    expect(h!.status).toBe("degraded");
    expect(h!.dlqShare).toBeCloseTo(0.2);
  });

  it("shows nothing to other teams, consumers or signed-out viewers; members and admins see it", async () => {
    const w = await createSubscriptionWorld(db);
    for (const u of [w.users.consumer, w.users.outsider, w.users.partner, null]) {
      expect(await getProductHealth(db, u, w.product.id, NOW)).toBeNull();
    }
    expect(await listProductHealth(db, w.users.outsider, [w.product.id], NOW)).toEqual([]);
    expect(await getProductHealth(db, w.users.dualOwner, w.product.id, NOW)).not.toBeNull();
    const admin = await adminUser(w.users.consumer.orgId);
    expect(await getProductHealth(db, admin, w.product.id, NOW)).not.toBeNull();
  });

  it("lists several products in order, leaving out the ones the user may not see", async () => {
    const a = await createSubscriptionWorld(db);
    const b = await createSubscriptionWorld(db);
    const list = await listProductHealth(db, a.users.owner, [b.product.id, a.product.id], NOW);
    expect(list.map((h) => h.productId)).toEqual([a.product.id]);
  });
});
