import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { resolveRequestContext, type RequestContext } from "@/lib/ops/context";

/**
 * Version 1 of the audit event shape: who, what, on which resource, with what result, when,
 * from where (ip, user agent), and a correlation id (the request id, or `job:<id>` in a worker).
 * Append-only: the app's role may only insert and read, and triggers reject UPDATE, DELETE and
 * TRUNCATE. Call it with the same transaction as the change it records, so a decision and its
 * audit entry commit together or not at all.
 *
 * "From where" and the correlation id come from the current request context (lib/ops/context.ts)
 * unless the event gives them. A user action that arrived through the token API is recorded
 * with actor type "token": the actor id stays the token's user (who is accountable), and
 * details.token names the token (id and prefix).
 */
export type AuditEvent = {
  actor: { type: "user" | "system" | "token" | "anonymous"; id?: string | null; label?: string | null };
  /** Dotted verb, e.g. "access_request.approve", "auth.sign_in". */
  action: string;
  resource: { type: string; id?: string | null };
  result?: "success" | "denied" | "failure";
  ip?: string | null;
  userAgent?: string | null;
  correlationId?: string | null;
  details?: Record<string, unknown>;
};

function viaToken(e: AuditEvent, token: RequestContext["token"]): { actorType: AuditEvent["actor"]["type"]; details: Record<string, unknown> } {
  const details = e.details ?? {};
  if (!token || e.actor.type !== "user" || e.actor.id !== token.userId) return { actorType: e.actor.type, details };
  return { actorType: "token", details: { ...details, token: { id: token.id, prefix: token.prefix } } };
}

export async function recordAudit(db: Db, e: AuditEvent): Promise<void> {
  const ctx = await resolveRequestContext();
  const { actorType, details } = viaToken(e, ctx?.token);
  await db.insert(auditLog).values({
    eventVersion: 1,
    actorType,
    actorId: e.actor.id ?? null,
    actorLabel: e.actor.label ?? null,
    action: e.action,
    resourceType: e.resource.type,
    resourceId: e.resource.id ?? null,
    result: e.result ?? "success",
    ip: e.ip ?? ctx?.ip ?? null,
    userAgent: e.userAgent ?? ctx?.userAgent ?? null,
    correlationId: e.correlationId ?? ctx?.correlationId ?? null,
    details,
  });
}
