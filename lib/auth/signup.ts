import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { memberships, organizations, teams, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { hashPassword } from "./password";
import { findUserByEmail, normalizeEmail } from "./queries";
import { lockedUntil, minutesUntil, recordFailure } from "./throttle";

/** Accounts one client address may create per 15-minute window, against scripted sign-ups. */
export const SIGNUPS_PER_IP = 10;

export type SignUpInput = { name: string; email: string; password: string; company: string };

function slugify(text: string): string {
  const base = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  // A short random suffix: company names collide ("Acme"), slugs must not.
  return `${base || "org"}-${randomBytes(3).toString("hex")}`;
}

/**
 * Self-service sign-up, only when ALLOW_SIGNUP is on (the caller checks the flag). A sign-up
 * is an outside party: it gets its own external organization and a team to subscribe with,
 * as a plain member: no platform roles, no ownership of anything, billed like any external
 * consumer. Staff of internal organizations join by invitation only.
 */
export async function signUp(db: Db, input: SignUpInput, opts: { ip?: string | null; now?: Date } = {}): Promise<{ userId: string; email: string }> {
  const email = normalizeEmail(input.email);
  const now = opts.now ?? new Date();
  const keys = opts.ip ? [{ key: `signup:${opts.ip}`, max: SIGNUPS_PER_IP }] : [];
  const locked = await lockedUntil(db, keys, now);
  if (locked) throw new AppError("rate_limited", `Too many new accounts from your network. Try again in ${minutesUntil(locked, now)} minutes.`);
  // Every attempt counts (the throttle's "failure" counter), successful or not.
  await recordFailure(db, keys, now);
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, email)) {
      throw new AppError("conflict", "An account with this email already exists.", {
        fieldErrors: { email: ["An account with this email already exists. Sign in instead."] },
      });
    }
    const company = input.company.trim();
    const [org] = await tx.insert(organizations).values({ slug: slugify(company), name: company, kind: "external", billingEmail: email }).returning({ id: organizations.id });
    const [team] = await tx.insert(teams).values({ slug: slugify(company), name: company, orgId: org.id, contactEmail: email }).returning({ id: teams.id });
    const [user] = await tx
      .insert(users)
      .values({ email, name: input.name.trim(), passwordHash: await hashPassword(input.password), orgId: org.id })
      .returning({ id: users.id });
    await tx.insert(memberships).values({ userId: user.id, teamId: team.id, role: "member" });
    await recordAudit(tx, {
      actor: { type: "user", id: user.id, label: email },
      action: "auth.sign_up",
      resource: { type: "user", id: user.id },
      ip: opts.ip ?? null,
      details: { orgId: org.id, teamId: team.id },
    });
    return { userId: user.id, email };
  });
}
