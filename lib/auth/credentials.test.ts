import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, authThrottle, users } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { authorizeCredentials } from "./credentials";
import { createUserFixture } from "./test-fixtures";
import { pruneThrottle, THROTTLE } from "./throttle";

const t = await createTestDatabase();
const PASSWORD = "correct horse battery staple";
const minutes = (n: number) => n * 60_000;

describe("authorizeCredentials", () => {
  it("signs in with the right password, case-insensitively on email, and audits it", async () => {
    const { user, email } = await createUserFixture(t.db, { password: PASSWORD });
    const result = await authorizeCredentials(t.db, `  ${email.toUpperCase()} `, PASSWORD, "10.0.0.1");
    expect(result).toEqual({ ok: true, user: { id: user.id, email, name: user.name } });
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row.lastSignInAt).toBeInstanceOf(Date);
    const audits = await t.db.select().from(auditLog).where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "auth.sign_in")));
    expect(audits.map((a) => [a.result, a.ip])).toEqual([["success", "10.0.0.1"]]);
  });

  it("refuses a wrong password, an unknown email, an SSO-only account and a disabled account", async () => {
    const { email } = await createUserFixture(t.db, { password: PASSWORD });
    expect(await authorizeCredentials(t.db, email, "wrong password!", null)).toEqual({ ok: false, reason: "invalid" });
    expect(await authorizeCredentials(t.db, "nobody@example.test", PASSWORD, null)).toEqual({ ok: false, reason: "invalid" });
    const sso = await createUserFixture(t.db);
    expect(await authorizeCredentials(t.db, sso.email, PASSWORD, null)).toEqual({ ok: false, reason: "invalid" });
    const disabled = await createUserFixture(t.db, { password: PASSWORD, disabled: true });
    expect(await authorizeCredentials(t.db, disabled.email, PASSWORD, null)).toEqual({ ok: false, reason: "disabled" });
  });

  it("locks an account after 5 wrong passwords, refuses even the right one, and reopens after the window", async () => {
    const { email, user } = await createUserFixture(t.db, { password: PASSWORD });
    const start = new Date("2026-01-01T10:00:00Z");
    const at = (ms: number) => ({ now: new Date(start.getTime() + ms) });
    for (let i = 0; i < THROTTLE.maxPerEmail - 1; i++) {
      expect(await authorizeCredentials(t.db, email, `wrong-${i}`, `10.1.0.${i}`, at(i * 1000))).toEqual({ ok: false, reason: "invalid" });
    }
    // The fifth failure trips the lock and says so.
    expect(await authorizeCredentials(t.db, email, "wrong-5", "10.1.0.9", at(5000))).toEqual({ ok: false, reason: "locked", retryAfterMinutes: 15 });
    // Sixth attempt, right password, different address: still locked, minutes counting down.
    expect(await authorizeCredentials(t.db, email, PASSWORD, "10.9.9.9", at(minutes(5)))).toEqual({ ok: false, reason: "locked", retryAfterMinutes: 11 });
    const lockouts = await t.db.select().from(auditLog).where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "auth.lockout")));
    expect(lockouts).toHaveLength(1);
    // After the lock expires the right password works and clears the counter.
    const after = await authorizeCredentials(t.db, email, PASSWORD, "10.9.9.9", at(minutes(16)));
    expect(after.ok).toBe(true);
    expect(await t.db.select().from(authThrottle).where(eq(authThrottle.key, `email:${email}`))).toEqual([]);
  });

  it("starts counting again when failures are spread beyond the window", async () => {
    const { email } = await createUserFixture(t.db, { password: PASSWORD });
    const start = Date.parse("2026-02-01T10:00:00Z");
    for (let i = 0; i < 8; i++) {
      // A window is fixed from its first failure, so failures every 4 minutes put at most 4 in
      // any one window (minutes 0,4,8,12 | 16,20,24,28) and never trip the limit of 5.
      const r = await authorizeCredentials(t.db, email, "nope", null, { now: new Date(start + i * minutes(4)) });
      expect(r).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("locks an address that sprays many accounts", async () => {
    const ip = "203.0.113.7";
    const now = new Date("2026-03-01T10:00:00Z");
    let last;
    for (let i = 0; i < THROTTLE.maxPerIp; i++) {
      last = await authorizeCredentials(t.db, `spray-${i}@example.test`, "guess", ip, { now });
    }
    expect(last).toEqual({ ok: false, reason: "locked", retryAfterMinutes: 15 });
    const victim = await createUserFixture(t.db, { password: PASSWORD });
    expect((await authorizeCredentials(t.db, victim.email, PASSWORD, ip, { now })).ok).toBe(false);
    expect((await authorizeCredentials(t.db, victim.email, PASSWORD, "198.51.100.1", { now })).ok).toBe(true);
  });
});

describe("pruneThrottle", () => {
  it("drops day-old unlocked counters and keeps live ones", async () => {
    const now = new Date("2026-04-02T12:00:00Z");
    const old = new Date("2026-04-01T10:00:00Z");
    await t.db.insert(authThrottle).values([
      { key: "email:stale@example.test", failures: 2, windowStart: old },
      { key: "email:locked@example.test", failures: 5, windowStart: old, lockedUntil: new Date("2026-04-02T12:10:00Z") },
      { key: "email:fresh@example.test", failures: 1, windowStart: new Date("2026-04-02T11:59:00Z") },
    ]);
    expect(await pruneThrottle(t.db, now)).toBeGreaterThanOrEqual(1);
    const keys = (await t.db.select({ key: authThrottle.key }).from(authThrottle)).map((r) => r.key);
    expect(keys).not.toContain("email:stale@example.test");
    expect(keys).toEqual(expect.arrayContaining(["email:locked@example.test", "email:fresh@example.test"]));
  });
});
