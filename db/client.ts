import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle; queries take `Db` so they run inside or outside a transaction. */
export type Db = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

type Holder = { sql?: postgres.Sql; db?: Database };
// One client per process. Next's dev server re-evaluates modules on every change; keeping the
// pool on globalThis stops each reload from opening a new one.
const holder: Holder = ((globalThis as { __tributaryDb?: Holder }).__tributaryDb ??= {});

export function createDb(url: string, max = 10): { sql: postgres.Sql; db: Database } {
  const sql = postgres(url, { max, onnotice: () => {}, connection: { application_name: "tributary" } });
  return { sql, db: drizzle(sql, { schema }) };
}

export function getDb(): Database {
  if (!holder.db) {
    const created = createDb(env().databaseUrl);
    holder.sql = created.sql;
    holder.db = created.db;
  }
  return holder.db;
}

export async function closeDb(): Promise<void> {
  const sql = holder.sql;
  holder.sql = undefined;
  holder.db = undefined;
  await sql?.end({ timeout: 5 });
}

export { schema };
