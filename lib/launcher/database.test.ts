import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";
import { APP_DB_ROLE, appRoleWarning, checkAppRole, enableAppRole } from "./database";

const t = await createTestDatabase();

describe("the app's database role", () => {
  it("signs tributary_app in with the launcher's password and reports it as harmless", async () => {
    // The same password as the audit tests, which may run in parallel on the same server.
    const appUrl = await enableAppRole(t.url, "tributary-app-test");
    expect(new URL(appUrl).username).toBe(APP_DB_ROLE);
    const sql = postgres(appUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ u: string }[]>`select current_user as u`;
      expect(row!.u).toBe(APP_DB_ROLE);
    } finally {
      await sql.end({ timeout: 5 });
    }
    const check = await checkAppRole(appUrl);
    expect(check).toEqual({ user: APP_DB_ROLE, superuser: false, ownsAuditLog: false });
    expect(appRoleWarning(check)).toBeNull();
  });

  it("warns when the app would connect as a superuser or the audit log's owner", async () => {
    const owner = await checkAppRole(t.url);
    expect(owner.superuser || owner.ownsAuditLog).toBe(true);
    expect(appRoleWarning(owner)).toMatch(/could disable the audit log's append-only triggers/);
    expect(appRoleWarning({ user: "deploy", superuser: false, ownsAuditLog: true })).toMatch(/deploy, the owner of audit_log/);
  });
});
