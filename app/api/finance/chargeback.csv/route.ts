import { getDb } from "@/db/client";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { recordAudit } from "@/lib/audit/service";
import { requireApiUser } from "@/lib/auth/session";
import { buildChargebackCsv } from "@/lib/billing/csv";
import { ChargebackCsvQuerySchema } from "@/lib/billing/schemas";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * GET /api/finance/chargeback.csv?period=YYYY-MM&level=cost-center|team|subscription|product|owner-team
 * [&costCenter=<id>|none][&team=<id>][&owner=<owning team id>]: the finance report as CSV (lib/billing/csv.ts).
 * Finance and admins only: 401 signed out, 403 otherwise; bad parameters are a 422 with
 * per-field messages. The export is audited: who took a copy of which numbers.
 */
export async function GET(req: Request): Promise<Response> {
  let user;
  try {
    user = await requireApiUser("finance");
  } catch (err) {
    if (err instanceof AppError) return Response.json({ error: { code: err.code, message: err.message } }, { status: err.status });
    throw err;
  }
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = ChargebackCsvQuerySchema.safeParse(params);
  if (!parsed.success) {
    return Response.json(
      { error: { code: "validation", message: "Some parameters are not valid.", fieldErrors: toFieldErrors(parsed.error) } },
      { status: 422 },
    );
  }
  const { level, ...filter } = parsed.data;
  const db = getDb();
  const body = await buildChargebackCsv(db, user, level, filter);
  await recordAudit(db, {
    actor: { type: "user", id: user.id, label: user.email },
    action: "chargeback.export",
    resource: { type: "billing_period", id: filter.period },
    details: { level, ...filter },
  });
  const scope = [filter.costCenter && `cc-${filter.costCenter.slice(0, 8)}`, filter.team && `team-${filter.team.slice(0, 8)}`, filter.owner && `owner-${filter.owner.slice(0, 8)}`]
    .filter(Boolean)
    .join("-");
  const name = `chargeback-${filter.period}-${level}${scope ? `-${scope}` : ""}.csv`;
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
