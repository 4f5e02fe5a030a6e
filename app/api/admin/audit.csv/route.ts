import { getDb } from "@/db/client";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { auditCsvStream } from "@/lib/audit/csv";
import { AuditFilterSchema, iterateAuditLog } from "@/lib/audit/queries";
import { recordAudit } from "@/lib/audit/service";
import { requireApiUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * GET /api/admin/audit.csv?actor=&action=&resourceType=&resourceId=&result=&from=&to=
 * The same filters as /admin/audit. Admins only (401 signed out, 403 otherwise); a bad filter
 * is a 422 with per-field messages. The export itself is audited: who took a copy, of what.
 */
export async function GET(req: Request): Promise<Response> {
  let user;
  try {
    user = await requireApiUser("admin");
  } catch (err) {
    if (err instanceof AppError) return Response.json({ error: { code: err.code, message: err.message } }, { status: err.status });
    throw err;
  }
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = AuditFilterSchema.safeParse(params);
  if (!parsed.success) {
    return Response.json({ error: { code: "validation", message: "Some filters are not valid.", fieldErrors: toFieldErrors(parsed.error) } }, { status: 422 });
  }
  const db = getDb();
  await recordAudit(db, {
    actor: { type: "user", id: user.id, label: user.email },
    action: "audit.export",
    resource: { type: "audit_log" },
    details: { filter: parsed.data },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(auditCsvStream(iterateAuditLog(db, parsed.data)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="audit-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
