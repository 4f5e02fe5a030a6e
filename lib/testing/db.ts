import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createDb, type Database } from "@/db/client";
import { env } from "@/lib/env";
import { dropDatabase, withAdmin } from "./pg";

export type TestDatabase = { db: Database; url: string; name: string };

/**
 * A fresh, migrated database for one test file, cloned from the run's template and dropped
 * after the file. Call at module level or in beforeAll, never inside a test (the drop is an
 * afterAll hook, which vitest does not run when registered from a test body):
 *   const t = await createTestDatabase();
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = env().databaseUrl;
  const template = inject("templateDb");
  const name = `trib_t_${randomBytes(5).toString("hex")}`;
  // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template;
  // parallel files may collide for a moment, so retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdmin(base, (sql) => sql.unsafe(`create database ${name} template ${template}`));
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const { sql, db } = createDb(url.toString(), 5);
  afterAll(async () => {
    await sql.end({ timeout: 5 });
    await dropDatabase(base, name);
  });
  return { db, url: url.toString(), name };
}
