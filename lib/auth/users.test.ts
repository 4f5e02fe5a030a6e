import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { authorizeCredentials } from "./credentials";
import { loadSessionUser } from "./queries";
import { createUserFixture } from "./test-fixtures";
import { setUserDisabled } from "./users";

const t = await createTestDatabase();

describe("setUserDisabled", () => {
  it("cuts off a user's session and sign-in at once, and re-enables", async () => {
    const admin = await createUserFixture(t.db, { roles: ["admin"] });
    const target = await createUserFixture(t.db, { password: "target password 1" });
    const actor = { id: admin.user.id, email: admin.email };
    await setUserDisabled(t.db, actor, target.user.id, true);
    expect(await loadSessionUser(t.db, target.user.id)).toBeNull();
    expect(await authorizeCredentials(t.db, target.email, "target password 1", null)).toEqual({ ok: false, reason: "disabled" });
    await setUserDisabled(t.db, actor, target.user.id, false);
    expect((await loadSessionUser(t.db, target.user.id))?.id).toBe(target.user.id);
    const actions = await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.resourceId, target.user.id));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(["user.disable", "user.enable"]));
  });

  it("refuses to let admins disable themselves", async () => {
    const admin = await createUserFixture(t.db, { roles: ["admin"] });
    await expect(setUserDisabled(t.db, { id: admin.user.id, email: admin.email }, admin.user.id, true)).rejects.toMatchObject({ code: "conflict" });
  });
});
