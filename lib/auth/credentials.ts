import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { hashPassword, verifyPassword } from "./password";
import { findUserByEmail, normalizeEmail } from "./queries";
import { clearFailures, lockedUntil, minutesUntil, pruneThrottle, recordFailure, throttleKeys } from "./throttle";

export type AuthorizeResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "disabled" }
  | { ok: false; reason: "locked"; retryAfterMinutes: number };

// Verified against when the email is unknown or has no password, so that a miss costs the same
// scrypt work as a hit and response time does not reveal which addresses have accounts.
let dummyHash: Promise<string> | undefined;
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword("tributary-timing-equalizer");
  return dummyHash;
}

/**
 * Email + password sign-in with rate limiting and audit. The order matters: a locked key is
 * refused before the password is checked, so the right password cannot slip through a lockout;
 * wrong passwords count against both the email and the client IP, also for unknown emails, so
 * a lockout does not reveal whether an account exists.
 */
export async function authorizeCredentials(
  db: Db,
  rawEmail: string,
  password: string,
  ip: string | null,
  opts: { now?: Date } = {},
): Promise<AuthorizeResult> {
  const now = opts.now ?? new Date();
  const email = normalizeEmail(rawEmail);
  const keys = throttleKeys(email, ip);
  const audit = (action: string, result: "success" | "denied" | "failure", details: Record<string, unknown>, userId?: string) =>
    recordAudit(db, {
      actor: userId ? { type: "user", id: userId, label: email } : { type: "anonymous", label: email },
      action,
      resource: { type: "user", id: userId ?? null },
      result,
      ip,
      details,
    });

  const locked = await lockedUntil(db, keys, now);
  if (locked) {
    await audit("auth.sign_in", "denied", { method: "credentials", reason: "locked" });
    return { ok: false, reason: "locked", retryAfterMinutes: minutesUntil(locked, now) };
  }

  const user = email.length > 320 ? null : await findUserByEmail(db, email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await getDummyHash()));
  if (!user || !user.passwordHash || !valid) {
    const newlyLocked = await recordFailure(db, keys, now);
    // Amortised housekeeping: about one failure in fifty sweeps stale counters.
    if (Math.random() < 0.02) await pruneThrottle(db, now);
    await audit("auth.sign_in", "failure", { method: "credentials", reason: user ? "wrong_password" : "unknown_email" }, user?.id);
    for (const l of newlyLocked) {
      await audit("auth.lockout", "denied", { key: l.key.split(":")[0], until: l.lockedUntil.toISOString() }, user?.id);
    }
    // The failure that trips the limit already says so, rather than one attempt later.
    if (newlyLocked.length > 0) {
      return { ok: false, reason: "locked", retryAfterMinutes: minutesUntil(newlyLocked[0].lockedUntil, now) };
    }
    return { ok: false, reason: "invalid" };
  }
  if (user.disabled) {
    await audit("auth.sign_in", "denied", { method: "credentials", reason: "disabled" }, user.id);
    return { ok: false, reason: "disabled" };
  }

  await clearFailures(db, email);
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  await audit("auth.sign_in", "success", { method: "credentials" }, user.id);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
