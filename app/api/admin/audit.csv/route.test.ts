import { describe, expect, it, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { createTestDatabase } from "@/lib/testing/db";
import { recordAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";

const t = await createTestDatabase();

const who: { user: SessionUser | null } = { user: null };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db/client")>()), getDb: () => t.db }));
vi.mock("@/lib/auth/session", () => ({
  requireApiUser: async (role?: string) => {
    if (!who.user) throw new AppError("unauthenticated");
    if (role === "admin" && !who.user.roles.includes("admin")) throw new AppError("forbidden");
    return who.user;
  },
}));

const { GET } = await import("./route");

const base: SessionUser = { id: "11111111-1111-4111-8111-111111111111", email: "a@x.test", name: "A", orgId: "o", orgKind: "internal", roles: [], teams: [] };

await recordAudit(t.db, { actor: { type: "user", label: "=cmd|' /C calc'!A0" }, action: "access_request.approve", resource: { type: "access_request", id: "r1" } });
await recordAudit(t.db, { actor: { type: "system" }, action: "subscription.expire", resource: { type: "subscription", id: "s1" } });

describe("GET /api/admin/audit.csv", () => {
  it("401 signed out, 403 for a non-admin", async () => {
    who.user = null;
    expect((await GET(new Request("http://x/api/admin/audit.csv"))).status).toBe(401);
    who.user = { ...base, roles: ["finance"] };
    expect((await GET(new Request("http://x/api/admin/audit.csv"))).status).toBe(403);
  });

  it("422 with field errors for a bad filter", async () => {
    who.user = { ...base, roles: ["admin"] };
    const res = await GET(new Request("http://x/api/admin/audit.csv?result=maybe&from=soon"));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(Object.keys(body.error.fieldErrors).sort()).toEqual(["from", "result"]);
  });

  it("exports the filtered rows as CSV with a BOM and neutralized formulas, and audits the export", async () => {
    who.user = { ...base, roles: ["admin"] };
    const res = await GET(new Request("http://x/api/admin/audit.csv?action=access_request."));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("access_request.approve");
    expect(lines[1]).toContain(",'=cmd|' /C calc'!A0,");
    expect(lines.join()).not.toContain("subscription.expire");
    const again = await GET(new Request("http://x/api/admin/audit.csv?action=audit.export"));
    expect((await again.text()).split("\r\n").filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });
});
