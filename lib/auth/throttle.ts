import { and, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { authThrottle } from "@/db/schema";

/**
 * Wrong-password rate limiting, kept in Postgres so every web process shares the counters.
 * Two keys per attempt: the email (stops guessing one account from many addresses) and the
 * client IP (stops spraying many accounts from one address). The IP limit is higher because
 * a whole office can sit behind one NAT address.
 */
export const THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxPerEmail: 5,
  maxPerIp: 20,
} as const;

export type ThrottleKey = { key: string; max: number };

export function throttleKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `email:${email}`, max: THROTTLE.maxPerEmail }];
  if (ip) keys.push({ key: `ip:${ip}`, max: THROTTLE.maxPerIp });
  return keys;
}

/** The latest lock among the keys, or null when none is locked at `now`. */
export async function lockedUntil(db: Db, keys: ThrottleKey[], now: Date): Promise<Date | null> {
  const rows = await db
    .select({ lockedUntil: authThrottle.lockedUntil })
    .from(authThrottle)
    .where(inArray(authThrottle.key, keys.map((k) => k.key)));
  let latest: Date | null = null;
  for (const r of rows) {
    if (r.lockedUntil && r.lockedUntil > now && (!latest || r.lockedUntil > latest)) latest = r.lockedUntil;
  }
  return latest;
}

/**
 * Counts one failure on each key in a single atomic upsert per key (concurrent attempts cannot
 * both read "4" and write "5"). A window older than THROTTLE.windowMs starts over at 1. Returns
 * the keys that became locked by this failure, so the caller can audit the lockout once.
 */
export async function recordFailure(db: Db, keys: ThrottleKey[], now: Date): Promise<{ key: string; lockedUntil: Date }[]> {
  const windowStartCutoff = new Date(now.getTime() - THROTTLE.windowMs);
  const lockUntil = new Date(now.getTime() + THROTTLE.lockMs);
  const newlyLocked: { key: string; lockedUntil: Date }[] = [];
  for (const k of keys) {
    const expired = sql`${authThrottle.windowStart} <= ${windowStartCutoff.toISOString()}::timestamptz`;
    const nextCount = sql`case when ${expired} then 1 else ${authThrottle.failures} + 1 end`;
    const [row] = await db
      .insert(authThrottle)
      .values({ key: k.key, failures: 1, windowStart: now, lockedUntil: k.max <= 1 ? lockUntil : null })
      .onConflictDoUpdate({
        target: authThrottle.key,
        set: {
          failures: nextCount,
          windowStart: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${authThrottle.windowStart} end`,
          lockedUntil: sql`case when ${nextCount} >= ${k.max} then ${lockUntil.toISOString()}::timestamptz else ${authThrottle.lockedUntil} end`,
        },
      })
      .returning({ failures: authThrottle.failures, lockedUntil: authThrottle.lockedUntil });
    if (row && row.failures === k.max && row.lockedUntil) newlyLocked.push({ key: k.key, lockedUntil: row.lockedUntil });
  }
  return newlyLocked;
}

/**
 * Rows for keys nobody has failed on for a day and that are not locked carry no information;
 * removing them keeps the table small when attackers try many made-up addresses.
 */
export async function pruneThrottle(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - 24 * 3600_000);
  const rows = await db
    .delete(authThrottle)
    .where(and(lt(authThrottle.windowStart, cutoff), or(isNull(authThrottle.lockedUntil), lt(authThrottle.lockedUntil, now))))
    .returning({ key: authThrottle.key });
  return rows.length;
}

/** A correct password clears the account's counter; the IP counter only decays with its window. */
export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.delete(authThrottle).where(inArray(authThrottle.key, [`email:${email}`]));
}

/** Minutes to show a locked-out person, rounded up so "0 minutes" never appears. */
export function minutesUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
}
