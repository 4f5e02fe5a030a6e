import { isAdmin, type SessionUser } from "@/lib/auth/roles";
import { recordAudit, type AuditEvent } from "@/lib/audit/service";
import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors";

/**
 * Every admin service function starts with this, so the rule holds whichever entry point calls
 * it (server action, route handler, token API, a script): the action wrapper's role check is a
 * first line, not the only one.
 */
export function assertAdmin(user: SessionUser | null | undefined): asserts user is SessionUser {
  if (!user) throw new AppError("unauthenticated");
  if (!isAdmin(user)) throw new AppError("forbidden", "Only administrators can do this.");
}

export function auditAdmin(db: Db, user: SessionUser, e: Omit<AuditEvent, "actor">): Promise<void> {
  return recordAudit(db, { actor: { type: "user", id: user.id, label: user.email }, ...e });
}

/** Postgres unique_violation, to turn into a field error instead of a 500. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = (err as { cause?: { code?: string; constraint_name?: string } })?.cause ?? (err as { code?: string; constraint_name?: string });
  return e?.code === "23505" && (!constraint || e.constraint_name === constraint);
}

export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}
