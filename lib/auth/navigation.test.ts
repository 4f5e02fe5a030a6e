import { describe, expect, it } from "vitest";
import { isCurrentPath, navItemsFor } from "./navigation";
import type { SessionUser } from "./roles";

const consumer: SessionUser = { id: "u", email: "c@x.test", name: "C", orgId: "o", orgKind: "internal", roles: [], teams: [] };

describe("navigation", () => {
  it("shows Admin only to admins and Catalog to everyone", () => {
    expect(navItemsFor(null).map((i) => i.label)).toEqual(["Catalog"]);
    expect(navItemsFor(consumer).map((i) => i.label)).toEqual(["Catalog", "My subscriptions"]);
    expect(navItemsFor(consumer).map((i) => i.label)).not.toContain("Owner");
    expect(navItemsFor({ ...consumer, teams: [{ id: "t", slug: "t", name: "T", role: "owner" }] }).map((i) => i.label)).toContain("Owner");
    expect(navItemsFor({ ...consumer, roles: ["finance"] }).map((i) => i.label)).not.toContain("Admin");
    expect(navItemsFor({ ...consumer, roles: ["admin"] }).map((i) => i.label)).toContain("Admin");
  });

  it("marks a section current on its sub-pages only", () => {
    expect(isCurrentPath("/admin/settings", "/admin/users")).toBe(true);
    expect(isCurrentPath("/products/cell-kpis", "/catalog")).toBe(true);
    expect(isCurrentPath("/catalogue", "/catalog")).toBe(false);
    expect(isCurrentPath("/catalog", "/admin/users")).toBe(false);
  });
});
