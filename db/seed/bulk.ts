import { getTableColumns, sql, type InferInsertModel, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";

/**
 * Multi-row insert that sends the rows as ONE jsonb parameter expanded server-side by
 * jsonb_populate_recordset, instead of one bind parameter per cell. For thousands of rows with
 * large jsonb columns this is several times faster than a VALUES list (no 65,535-parameter
 * limit either), which is what lets the synthetic generator load 100k products quickly.
 * Rows are still typed against the drizzle table; every row must set the same keys.
 */
export async function insertJsonRows<T extends PgTable>(
  db: Db,
  table: T,
  rows: InferInsertModel<T>[],
  opts: { onConflictDoNothing?: string; returning?: string } = {},
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const keys = Object.keys(rows[0] as object);
  const names = keys.map((k) => {
    const col = columns[k];
    if (!col) throw new Error(`unknown column ${k}`);
    return col.name;
  });
  const payload = rows.map((row) => {
    const out: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      const v = (row as Record<string, unknown>)[k];
      out[names[i]] = v instanceof Date ? v.toISOString() : v;
    });
    return out;
  });
  const list = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  );
  let query: SQL = sql`insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(payload)}::jsonb)`;
  if (opts.onConflictDoNothing) query = sql`${query} on conflict (${sql.identifier(opts.onConflictDoNothing)}) do nothing`;
  if (opts.returning) query = sql`${query} returning ${sql.identifier(opts.returning)}`;
  const result = await db.execute(query);
  return [...(result as unknown as Record<string, unknown>[])];
}
