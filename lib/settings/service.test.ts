import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, platformSettings } from "@/db/schema";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { getSetting, setSetting } from "./service";

const t = await createTestDatabase();

describe("platform settings", () => {
  it("defaults public_catalog to false, stores changes and audits each real change once", async () => {
    const { user, email } = await createUserFixture(t.db, { roles: ["admin"] });
    expect(await getSetting(t.db, "public_catalog")).toBe(false);
    await setSetting(t.db, "public_catalog", true, { id: user.id, email });
    await setSetting(t.db, "public_catalog", true, { id: user.id, email });
    expect(await getSetting(t.db, "public_catalog")).toBe(true);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "settings.update"));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: user.id, resourceId: "public_catalog", details: { from: false, to: true } });
  });

  it("reads a malformed stored value as the default", async () => {
    await t.db.update(platformSettings).set({ value: "yes please" }).where(eq(platformSettings.key, "public_catalog"));
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(await getSetting(t.db, "public_catalog")).toBe(false);
    } finally {
      console.warn = warn;
    }
  });

  it("rejects a value of the wrong type", async () => {
    await expect(setSetting(t.db, "public_catalog", "true" as unknown as boolean, null)).rejects.toMatchObject({ code: "validation" });
  });
});
