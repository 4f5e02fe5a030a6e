import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./callback-url";
import { decideAccess, hasRole, isOwner, isOwnerOfTeam, roleLabels, type SessionUser } from "./roles";

const base: SessionUser = { id: "u1", email: "a@x.test", name: "A", orgId: "o1", orgKind: "internal", roles: [], teams: [] };
const consumer: SessionUser = { ...base, teams: [{ id: "t1", slug: "care", name: "Care", role: "member" }] };
const owner: SessionUser = { ...base, teams: [{ id: "t2", slug: "net", name: "Net", role: "owner" }, { id: "t1", slug: "care", name: "Care", role: "member" }] };
const finance: SessionUser = { ...base, roles: ["finance"] };
const admin: SessionUser = { ...base, roles: ["admin"] };

describe("role predicates", () => {
  it("grants each role only to its holders", () => {
    expect([consumer, owner, finance, admin].map((u) => hasRole(u, "owner"))).toEqual([false, true, false, false]);
    expect([consumer, owner, finance, admin].map((u) => hasRole(u, "finance"))).toEqual([false, false, true, true]);
    expect([consumer, owner, finance, admin].map((u) => hasRole(u, "admin"))).toEqual([false, false, false, true]);
  });

  it("knows team ownership per team, not from mere membership", () => {
    expect(isOwnerOfTeam(owner, "t2")).toBe(true);
    expect(isOwnerOfTeam(owner, "t1")).toBe(false);
    expect(isOwnerOfTeam(consumer, "t1")).toBe(false);
    expect(isOwner(consumer)).toBe(false);
  });

  it("decides signed-out, wrong role and allowed", () => {
    expect(decideAccess(null)).toBe("unauthenticated");
    expect(decideAccess(null, "admin")).toBe("unauthenticated");
    expect(decideAccess(consumer)).toBe("allow");
    expect(decideAccess(consumer, "admin")).toBe("forbidden");
    expect(decideAccess(owner, "owner")).toBe("allow");
    expect(decideAccess(finance, "admin")).toBe("forbidden");
  });

  it("labels roles for display", () => {
    expect(roleLabels(admin)).toEqual(["admin", "consumer"]);
    expect(roleLabels({ ...owner, orgKind: "external" })).toEqual(["owner", "partner"]);
  });
});

describe("safeCallbackPath", () => {
  it("keeps same-origin paths with their query", () => {
    expect(safeCallbackPath("/products/cell-kpis?tab=schema")).toBe("/products/cell-kpis?tab=schema");
  });

  it.each(["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "catalog", "/sign-in?x=1", "", null, "/a\nb"])(
    "refuses %j",
    (raw) => {
      expect(safeCallbackPath(raw as string | null)).toBe("/catalog");
    },
  );
});
