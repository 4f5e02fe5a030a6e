import { and, count, desc, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";
import { escapeLike } from "@/lib/ops/sql-like";

/**
 * Reading the audit log (admins only; the page and the CSV route check the role). One filter
 * shape for both, parsed from URL search params, so an export holds exactly what the screen shows.
 */
/** Search params may repeat a key; the first value counts, and an empty one means "not given". */
function firstValue(v: unknown): unknown {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === "string" && s.trim() === "" ? undefined : s;
}

const optionalText = (max: number) => z.preprocess(firstValue, z.string().trim().max(max, `Use at most ${max} characters.`).optional());

/** A date (YYYY-MM-DD, whole UTC day) or an ISO timestamp. */
const dateParam = z.preprocess(
  firstValue,
  z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), { message: "Use a date like 2026-01-31." })
    .optional(),
);

export const AuditFilterSchema = z
  .object({
    actor: optionalText(200),
    action: optionalText(200),
    resourceType: optionalText(100),
    resourceId: optionalText(200),
    result: z.preprocess(firstValue, z.enum(["success", "denied", "failure"], { error: "Unknown result." }).optional()),
    from: dateParam,
    to: dateParam,
  })
  .refine((f) => !f.from || !f.to || startOf(f.from) <= endOf(f.to), { path: ["to"], message: "The end is before the start." });

export type AuditFilter = z.output<typeof AuditFilterSchema>;

function isDateOnly(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s);
}
function startOf(s: string): Date {
  return new Date(isDateOnly(s) ? `${s}T00:00:00Z` : s);
}
/** Exclusive upper bound: a date-only "to" includes the whole day. */
function endOf(s: string): Date {
  const d = startOf(s);
  return isDateOnly(s) ? new Date(d.getTime() + 86_400_000) : new Date(d.getTime() + 1);
}


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditWhere(f: AuditFilter): SQL | undefined {
  const conds: SQL[] = [];
  if (f.actor) {
    const like = ilike(auditLog.actorLabel, `%${escapeLike(f.actor)}%`);
    conds.push(UUID.test(f.actor) ? (or(eq(auditLog.actorId, f.actor), like) as SQL) : like);
  }
  if (f.action) conds.push(ilike(auditLog.action, `${escapeLike(f.action)}%`));
  if (f.resourceType) conds.push(eq(auditLog.resourceType, f.resourceType));
  if (f.resourceId) conds.push(eq(auditLog.resourceId, f.resourceId));
  if (f.result) conds.push(eq(auditLog.result, f.result));
  if (f.from) conds.push(gte(auditLog.at, startOf(f.from)));
  if (f.to) conds.push(lt(auditLog.at, endOf(f.to)));
  return conds.length ? and(...conds) : undefined;
}

export type AuditRow = typeof auditLog.$inferSelect;

export const AUDIT_PAGE_SIZE = 50;
/**
 * Counting stops here: an append-only log only grows, and an exact count(*) of a million
 * matching rows on every page view costs more than the page. Beyond it the screen says "more
 * than 10,000" and pages through the first 10,000; narrower filters or the CSV export reach the
 * rest.
 */
export const AUDIT_COUNT_CAP = 10_000;

/** Newest first (id breaks ties within one timestamp). */
export async function searchAuditLog(
  db: Db,
  filter: AuditFilter,
  opts: { page?: number; pageSize?: number; countCap?: number } = {},
): Promise<{ rows: AuditRow[]; total: number; totalIsCapped: boolean; page: number; pageCount: number }> {
  const pageSize = opts.pageSize ?? AUDIT_PAGE_SIZE;
  const cap = opts.countCap ?? AUDIT_COUNT_CAP;
  const where = auditWhere(filter);
  const capped = db.select({ one: sql`1` }).from(auditLog).where(where).limit(cap + 1).as("capped");
  const [{ n }] = await db.select({ n: count() }).from(capped);
  const totalIsCapped = n > cap;
  const total = Math.min(n, cap);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1)), pageCount);
  const rows = await db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { rows, total, totalIsCapped, page, pageCount };
}

/** Streams matching rows in id-descending batches for the CSV export (bounded memory). */
export async function* iterateAuditLog(db: Db, filter: AuditFilter, batchSize = 1000): AsyncGenerator<AuditRow[]> {
  const where = auditWhere(filter);
  let beforeId: number | null = null;
  for (;;) {
    const cond: SQL | undefined = beforeId === null ? where : and(where, sql`${auditLog.id} < ${beforeId}`);
    const rows: AuditRow[] = await db.select().from(auditLog).where(cond).orderBy(desc(auditLog.id)).limit(batchSize);
    if (!rows.length) return;
    yield rows;
    if (rows.length < batchSize) return;
    beforeId = rows[rows.length - 1].id;
  }
}

/** Distinct resource types, for the filter's select. */
export async function listAuditResourceTypes(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ t: auditLog.resourceType }).from(auditLog).orderBy(auditLog.resourceType);
  return rows.map((r) => r.t);
}
