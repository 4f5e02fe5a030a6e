import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";

/**
 * Version 1 of the audit event shape: who, what, on which resource, with what result, when,
 * from where, and a correlation id. Append-only: the table rejects UPDATE/DELETE/TRUNCATE.
 * Call it with the same transaction as the change it records, so a decision and its audit
 * entry commit together or not at all.
 */
export type AuditEvent = {
  actor: { type: "user" | "system" | "token" | "anonymous"; id?: string | null; label?: string | null };
  /** Dotted verb, e.g. "access_request.approve", "auth.sign_in". */
  action: string;
  resource: { type: string; id?: string | null };
  result?: "success" | "denied" | "failure";
  ip?: string | null;
  correlationId?: string | null;
  details?: Record<string, unknown>;
};

export async function recordAudit(db: Db, e: AuditEvent): Promise<void> {
  await db.insert(auditLog).values({
    eventVersion: 1,
    actorType: e.actor.type,
    actorId: e.actor.id ?? null,
    actorLabel: e.actor.label ?? null,
    action: e.action,
    resourceType: e.resource.type,
    resourceId: e.resource.id ?? null,
    result: e.result ?? "success",
    ip: e.ip ?? null,
    correlationId: e.correlationId ?? null,
    details: e.details ?? {},
  });
}
